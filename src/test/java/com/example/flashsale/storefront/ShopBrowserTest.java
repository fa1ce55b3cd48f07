package com.example.flashsale.storefront;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import com.microsoft.playwright.options.WaitForSelectorState;
import org.junit.jupiter.api.Test;

import com.example.flashsale.Chromium;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.waitingroom.RoomFixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The storefront in a real headless Chromium (docs/operations.md "Storefront"): a customer signs in,
 * claims the coupon, buys with it and watches the order's status arrive live through the browser's own
 * {@code EventSource} with a stream token (PAID, then the data platform's answer). After the final status
 * the browser's reconnect is answered 204, so it opens exactly two connections for the finished order and
 * stops. Saves a screenshot like the one the README shows.
 */
class ShopBrowserTest extends IntegrationTest {

	private static final Path SCREENSHOT = Path.of("target/screenshots/shop.png");

	@Test
	void aCustomerClaimsBuysAndWatchesTheOrderLive() throws Exception {
		assumeTrue(Chromium.path() != null, Chromium.MISSING);
		long buyer = BalanceFixtures.newAccount(this.client, adminToken());
		postJson("/api/balance/charge", userToken(buyer), "{\"amount\":50000}").expectStatus().isOk();
		long productId = ProductFixtures.create(this.client, adminToken(), "Shop sneakers", 20_000, 5);
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		List<String> streamRequests = new CopyOnWriteArrayList<>();
		List<Integer> streamAnswers = new CopyOnWriteArrayList<>();
		try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
			Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1000, 1100));
			page.onRequest((request) -> {
				if (request.url().contains("/events?")) {
					streamRequests.add(request.url());
				}
			});
			page.onResponse((response) -> {
				if (response.url().contains("/events?")) {
					streamAnswers.add(response.status());
				}
			});
			page.navigate("http://127.0.0.1:" + this.port + "/shop");
			page.fill("#token", userToken(buyer));
			page.click("#signin button");
			page.waitForSelector("#who:has-text('Signed in as customer " + buyer + "')");

			page.fill("#coupon-id", Long.toString(couponId));
			page.click("#claim button");
			page.waitForSelector("#claim-result:has-text('Coupon claimed')");
			page.waitForSelector("#use-coupon option:nth-child(2)", new Page.WaitForSelectorOptions()
				.setState(WaitForSelectorState.ATTACHED));

			page.click("li[data-product='" + productId + "'] button");
			page.waitForSelector("#order-result:has-text('PAID')");
			page.waitForSelector("#order-events li[data-status='PAID']");
			page.waitForSelector("#order-events li[data-status='DATA_PLATFORM_SENT']",
					new Page.WaitForSelectorOptions().setTimeout(20_000));
			assertThat(page.textContent("#order-result")).contains("paid 19,000 KRW");

			// the browser reconnects after the stream ends (retry: 3 s); watch it for 15 s, five reconnect delays
			page.waitForTimeout(15_000);
			Object readyState = page.evaluate("() => window.shopStream.readyState");
			System.out.println("ShopBrowserTest: " + streamRequests.size() + " stream connections for the finished order "
					+ "in 15 s after its final status, answers " + streamAnswers + ", EventSource readyState " + readyState);
			Files.createDirectories(SCREENSHOT.getParent());
			page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOT));
			assertThat(readyState).as("EventSource CLOSED").isEqualTo(2);
		}
		assertThat(streamRequests).as("connections the browser opened for the finished order").hasSize(2);
		assertThat(streamAnswers).containsExactly(200, 204);
	}

	/**
	 * A claim and an order that meet a waiting room (docs/operations.md "Storefront"): the page reads the
	 * room from the 403 ADMISSION_REQUIRED problem, takes a ticket, shows the place in line from the room's
	 * stream (the coupon's room opens a few seconds later, so the customer first waits in the pre-queue),
	 * and sends the same request again with the admission token once admitted.
	 */
	@Test
	void aCustomerMeetsAWaitingRoomWaitsInLineAndIsLetThrough() {
		assumeTrue(Chromium.path() != null, Chromium.MISSING);
		long buyer = BalanceFixtures.newAccount(this.client, adminToken());
		postJson("/api/balance/charge", userToken(buyer), "{\"amount\":50000}").expectStatus().isOk();
		long productId = ProductFixtures.create(this.client, adminToken(), "Queued sneakers", 20_000, 5);
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long couponRoom = -1;
		long productRoom = RoomFixtures.open(this.client, adminToken(), "PRODUCT", productId, 5, null);
		List<String> states = new CopyOnWriteArrayList<>();
		try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
			Page page = browser.newPage();
			page.navigate("http://127.0.0.1:" + this.port + "/shop");
			page.exposeFunction("noteState", (args) -> states.add((String) args[0]));
			page.evaluate("() => new MutationObserver(() => window.noteState(document.getElementById('queue-state').textContent))"
					+ ".observe(document.getElementById('queue-state'), { childList: true, characterData: true, subtree: true })");
			page.fill("#token", userToken(buyer));
			page.click("#signin button");
			page.waitForSelector("#who:has-text('Signed in as customer " + buyer + "')");

			page.fill("#coupon-id", Long.toString(couponId));
			couponRoom = RoomFixtures.open(this.client, adminToken(), "COUPON", couponId, 5, Instant.now().plusSeconds(3));
			page.click("#claim button");
			page.waitForSelector("#claim-result:has-text('Coupon claimed')",
					new Page.WaitForSelectorOptions().setTimeout(20_000));
			assertThat(states).as("what the waiting room said during the claim")
				.anyMatch((state) -> state.startsWith("The line opens in"))
				.anyMatch((state) -> state.startsWith("Your turn"));
			page.waitForSelector("#use-coupon option:nth-child(2)", new Page.WaitForSelectorOptions()
				.setState(WaitForSelectorState.ATTACHED));

			page.click("li[data-product='" + productId + "'] button");
			page.waitForSelector("#order-result:has-text('PAID')", new Page.WaitForSelectorOptions().setTimeout(20_000));
			assertThat(page.textContent("#order-result")).contains("paid 19,000 KRW");
		}
		finally {
			if (couponRoom > 0) {
				RoomFixtures.close(this.client, adminToken(), couponRoom);
			}
			RoomFixtures.close(this.client, adminToken(), productRoom);
		}
		assertThat(states).as("the order went through the product's room too").filteredOn((state) -> state.startsWith("Your turn"))
			.hasSize(2);
	}

}

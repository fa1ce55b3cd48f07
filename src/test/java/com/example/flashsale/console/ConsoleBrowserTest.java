package com.example.flashsale.console;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.Page;
import com.microsoft.playwright.Playwright;
import org.junit.jupiter.api.Test;
import reactor.core.Disposable;
import reactor.core.publisher.Flux;

import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.Chromium;
import com.example.flashsale.IntegrationTest;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.waitingroom.RoomFixtures;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The operator console in a real headless Chromium (docs/operations.md "Operator console"): during a small
 * coupon rush the page shows the event's remaining count falling to 0 and its issued count reaching the
 * total, from the live stream, and saves a screenshot like the one the README shows. Runs in the
 * system's {@link Chromium}; skipped, saying so, only where none is installed.
 */
class ConsoleBrowserTest extends IntegrationTest {

	/** Where the screenshot goes (docs/images/console.png is a copy of one, taken by hand). */
	private static final Path SCREENSHOT = Path.of("target/screenshots/console.png");

	@Test
	void theConsoleShowsACouponRushLive() throws Exception {
		assumeTrue(Chromium.path() != null, Chromium.MISSING);
		int total = 30;
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), total);
		long firstUser = CouponFixtures.freshUsers(120);
		try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
			Page page = connectedConsole(browser);
			String row = "tr[data-coupon='" + couponId + "']";
			page.waitForSelector(row + " .remaining:text-is('" + total + "')");

			// the rush: 120 claimants over about three seconds, so the page sees the count fall
			WebClient parallel = parallelClient();
			Disposable rush = Flux.range(0, 120)
				.delayElements(Duration.ofMillis(25))
				.flatMap((i) -> status(parallel.post().uri("/api/coupons/" + couponId + "/issue")
					.headers((h) -> h.setBearerAuth(userToken(firstUser + i)))))
				.subscribe();
			try {
				page.waitForSelector(row + " .remaining:text-is('0')",
						new Page.WaitForSelectorOptions().setTimeout(30_000));
				page.waitForSelector(row + " .issued:text-is('" + total + "')",
						new Page.WaitForSelectorOptions().setTimeout(30_000));
			}
			finally {
				rush.dispose();
			}
			assertThat(page.textContent(row + " .total")).isEqualTo(Integer.toString(total));
			assertThat(page.textContent("#status")).startsWith("Live");
			Files.createDirectories(SCREENSHOT.getParent());
			page.screenshot(new Page.ScreenshotOptions().setPath(SCREENSHOT));
		}
		assertThat(SCREENSHOT).exists();
	}

	@Test
	void theConsoleShowsAWaitingRoomsQueue() {
		assumeTrue(Chromium.path() != null, Chromium.MISSING);
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		long roomId = RoomFixtures.open(this.client, adminToken(), "COUPON", couponId, 5, Instant.now().plus(Duration.ofHours(1)));
		try {
			long firstUser = CouponFixtures.freshUsers(3);
			for (int i = 0; i < 3; i++) {
				RoomFixtures.take(this.client, userToken(firstUser + i), roomId);
			}
			try (Playwright playwright = Chromium.playwright(); Browser browser = Chromium.launch(playwright)) {
				Page page = connectedConsole(browser);
				String row = "tr[data-room='" + roomId + "']";
				// before its opening the three tickets wait in the pre-queue
				page.waitForSelector(row + " .waiting:text-is('3')", new Page.WaitForSelectorOptions().setTimeout(30_000));
				assertThat(page.textContent(row + " .admitted")).isEqualTo("0");
				assertThat(page.textContent(row)).contains("coupon " + couponId).contains("SCHEDULED");
			}
		}
		finally {
			RoomFixtures.close(this.client, adminToken(), roomId);
		}
	}

	/** The console page in a new tab, connected with an admin token. */
	private Page connectedConsole(Browser browser) {
		Page page = browser.newPage(new Browser.NewPageOptions().setViewportSize(1100, 1000));
		page.navigate("http://127.0.0.1:" + this.port + "/console");
		page.fill("#token", adminToken());
		page.click("button[type=submit]");
		return page;
	}

}

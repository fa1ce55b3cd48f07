package com.example.flashsale.console;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;
import reactor.core.publisher.Flux;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.test.web.reactive.server.WebTestClient;
import org.springframework.web.reactive.function.client.WebClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductFixtures;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code /actuator/prometheus} (docs/operations.md "Metrics"): scrapable without a token, and after a small
 * rush its business counters equal what the rush did; the R2DBC pool and Lettuce meters are there; every
 * query of the shipped Grafana dashboard names a meter the scrape has.
 */
class MetricsScrapeTest extends IntegrationTest {

	private static final Path DASHBOARD = Path.of("src/main/docker/grafana/dashboards/flashsale.json");

	@Test
	void theCountersEqualWhatASmallRushDid() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 5);
		long firstUser = CouponFixtures.freshUsers(12);
		WebClient parallel = parallelClient();
		List<Integer> statuses = Flux.range(0, 12)
			.flatMap((i) -> status(parallel.post().uri("/api/coupons/" + couponId + "/issue")
				.headers((h) -> h.setBearerAuth(userToken(firstUser + i)))))
			.collectList()
			.block();
		assertThat(statuses).containsOnly(201, 410).filteredOn((s) -> s == 201).hasSize(5);
		List<Integer> again = Flux.range(0, 12)
			.concatMap((i) -> status(parallel.post().uri("/api/coupons/" + couponId + "/issue")
				.headers((h) -> h.setBearerAuth(userToken(firstUser + i)))))
			.collectList()
			.block();
		assertThat(again).filteredOn((s) -> s == 409).hasSize(5);

		String before = scrape();
		long productId = ProductFixtures.create(this.client, adminToken(), "Metered", 1_000, 10);
		long buyer = BalanceFixtures.newAccount(this.client, adminToken());
		postJson("/api/balance/charge", userToken(buyer), "{\"amount\":3000}").expectStatus().isOk();
		order(buyer, "metrics-a-" + buyer, productId, 1).expectStatus().isCreated();
		order(buyer, "metrics-b-" + buyer, productId, 1).expectStatus().isCreated();
		order(buyer, "metrics-a-" + buyer, productId, 1).expectStatus().isCreated();
		order(buyer, "metrics-c-" + buyer, productId, 5).expectStatus().isEqualTo(HttpStatus.PAYMENT_REQUIRED);
		String after = scrape();

		String coupon = "coupon=\"" + couponId + "\"";
		assertThat(value(after, "coupon_issue_requests_total", coupon, "outcome=\"issued\"")).isEqualTo(5);
		assertThat(value(after, "coupon_issue_requests_total", coupon, "outcome=\"sold_out\"")).isEqualTo(7 + 7);
		assertThat(value(after, "coupon_issue_requests_total", coupon, "outcome=\"duplicate\"")).isEqualTo(5);
		assertThat(delta(before, after, "orders_placed_total", "outcome=\"paid\"", "code=\"none\"")).isEqualTo(2);
		assertThat(delta(before, after, "orders_placed_total", "outcome=\"replayed\"", "code=\"none\"")).isEqualTo(1);
		assertThat(delta(before, after, "orders_placed_total", "outcome=\"refused\"", "code=\"INSUFFICIENT_BALANCE\""))
			.isEqualTo(1);
		assertThat(delta(before, after, "orders_placement_seconds_count")).isEqualTo(4);
		assertThat(delta(before, after, "orders_payment_seconds_count")).as("payments tried").isEqualTo(3);
		assertThat(after).contains("orders_placement_seconds_bucket{le=\"0.1\"", "r2dbc_pool_", "lettuce_seconds_");
	}

	@Test
	void everyDashboardQueryNamesAMeterOfTheScrape() throws IOException {
		// make the meters that appear on first use appear
		theCountersEqualWhatASmallRushDid();
		Set<String> scraped = new TreeSet<>();
		for (String line : scrape().split("\n")) {
			if (!line.isEmpty() && !line.startsWith("#")) {
				scraped.add(line.split("[{ ]", 2)[0]);
			}
		}
		JsonNode dashboard = JsonMapper.builder().build().readTree(Files.readString(DASHBOARD));
		List<String> queries = new ArrayList<>();
		dashboard.get("panels").forEach((panel) -> {
			if (panel.has("targets")) {
				panel.get("targets").forEach((target) -> queries.add(target.get("expr").asString()));
			}
		});
		assertThat(queries).hasSizeGreaterThan(10);
		Pattern metric = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)\\{");
		for (String query : queries) {
			Matcher names = metric.matcher(query);
			assertThat(names.find()).as("a metric selector in %s", query).isTrue();
			do {
				assertThat(scraped).as("the meter of %s", query).contains(names.group(1));
			}
			while (names.find());
		}
	}

	private WebTestClient.ResponseSpec order(long buyer, String key, long productId, int quantity) {
		return this.client.post().uri("/api/orders").headers((h) -> h.setBearerAuth(userToken(buyer)))
			.header("Idempotency-Key", key)
			.contentType(MediaType.APPLICATION_JSON)
			.bodyValue("{\"items\":[{\"productId\":" + productId + ",\"quantity\":" + quantity + "}]}")
			.exchange();
	}

	/**
	 * The scrape, fetched without a token. After the whole suite it holds the meters of hundreds of coupon
	 * events, well past the client's default 256 KB.
	 */
	private String scrape() {
		return this.client.mutate()
			.codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(16 * 1024 * 1024))
			.build()
			.get().uri("/actuator/prometheus").exchange()
			.expectStatus().isOk()
			.expectBody(String.class).returnResult().getResponseBody();
	}

	/** The sum of the samples of {@code name} whose labels contain all of {@code labels} (0 when none). */
	private static double value(String scrape, String name, String... labels) {
		double sum = 0;
		for (String line : scrape.split("\n")) {
			if (line.startsWith(name + "{") || line.startsWith(name + " ")) {
				boolean matches = true;
				for (String label : labels) {
					matches &= line.contains(label);
				}
				if (matches) {
					sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
				}
			}
		}
		return sum;
	}

	private static double delta(String before, String after, String name, String... labels) {
		return value(after, name, labels) - value(before, name, labels);
	}

}

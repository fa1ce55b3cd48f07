package com.example.flashsale.support.web;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;
import java.util.List;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.RawHttp;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.support.security.ForgedTokens;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Issue 12, items 13 to 15 (docs/api.md "Strict input"): bodies over 64 KB are 413 whatever their framing,
 * non-canonical paths and oversized headers answer problem details, and every value has one canonical
 * form: enums by exact name, ids in ASCII digits without sign or leading zero, text without control
 * characters or lone surrogates, instants as ISO-8601 strings, no unknown or repeated members. Each
 * refusal writes nothing. Raw HTTP where a client library would normalise the request.
 */
class StrictInputApiTest extends IntegrationTest {

	private static final String JSON = "Content-Type: application/json\r\n";

	@Autowired
	DatabaseClient db;

	@Value("${app.security.jwt.secret}")
	String secret;

	private RawHttp raw;

	private long productId;

	@BeforeEach
	void setUp() {
		this.raw = new RawHttp(this.port);
		this.productId = ProductFixtures.create(this.client, adminToken(), "Strict", 1000, 10);
	}

	// item 13: bodies over the documented 64 KB

	@Test
	void aBodyOverTheLimitWithContentLengthIs413AndWritesNothing() {
		long before = count("products");
		byte[] body = paddedProduct(64 * 1024 + 1);
		RawHttp.Answer answer = this.raw.send("POST", "/api/admin/products",
				admin() + JSON + "Content-Length: " + body.length + "\r\n", body);
		assertProblem(answer, 413, "BODY_TOO_LARGE");
		assertThat(count("products")).isEqualTo(before);
	}

	@Test
	void aChunkedBodyOverTheLimitIs413AndWritesNothing() {
		long before = count("products");
		RawHttp.Answer answer = this.raw.send("POST", "/api/admin/products",
				admin() + JSON + "Transfer-Encoding: chunked\r\n", chunked(paddedProduct(200 * 1024), 8192));
		assertProblem(answer, 413, "BODY_TOO_LARGE");
		assertThat(count("products")).isEqualTo(before);
	}

	@Test
	void aBodyOfExactlyTheLimitIsRead() {
		byte[] body = paddedProduct(64 * 1024);
		RawHttp.Answer answer = this.raw.send("POST", "/api/admin/products",
				admin() + JSON + "Content-Length: " + body.length + "\r\n", body);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
	}

	@Test
	void anOversizedChunkedBodyOnARouteWithoutBodyIs413AndIssuesNothing() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 5);
		long user = CouponFixtures.freshUsers(1);
		RawHttp.Answer answer = this.raw.send("POST", "/api/coupons/" + couponId + "/issue",
				"Authorization: Bearer " + userToken(user) + "\r\n" + JSON + "Transfer-Encoding: chunked\r\n",
				chunked(paddedProduct(100 * 1024), 8192));
		assertProblem(answer, 413, "BODY_TOO_LARGE");
		assertThat(count("user_coupons WHERE coupon_id = " + couponId)).isZero();
	}

	// item 14: non-canonical paths and oversized headers

	@ParameterizedTest
	@ValueSource(strings = { "/api/products/%00", "/api/products/1%2F2", "/api/products/1;x", "/api/products/%2e%2e",
			"/api/orders/%00", "/api/orders/1;x/events", "/api/coupons/%2e%2e/issue", "/api/admin/coupons/1%2F2",
			"/api/admin/products/%00/sales", "/api/admin/outbox/events/1;x/retry", "/api/orders/%2e%2e/stream-token",
			"//api/products", "/api/./products", "/api/x/../products", "/api/products/%5C1" })
	void nonCanonicalPathsAreProblemDetails(String path) {
		String method = (path.endsWith("/issue") || path.endsWith("/retry") || path.endsWith("/stream-token")) ? "POST"
				: "GET";
		RawHttp.Answer answer = this.raw.send(method, path, admin() + "Content-Length: 0\r\n", new byte[0]);
		assertProblem(answer, 400, "INVALID_REQUEST");
	}

	@ParameterizedTest
	@ValueSource(strings = { "Accept: application/json\u0085", "Accept: \u009f*/*", "Authorization-Suffix: \u0085" })
	void aHeaderValueWithAControlCharacterIsAProblemDetailAndClaimsNothing(String header) {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 5);
		long user = CouponFixtures.freshUsers(1);
		// a C1 control character: Netty lets the Latin-1 byte through, Spring Security's firewall refuses it
		// when the header is read (the Accept check reads it; the token's header with the suffix below)
		String authorization = header.startsWith("Authorization-Suffix: ")
				? "Authorization: Bearer " + userToken(user) + header.substring("Authorization-Suffix: ".length())
				: "Authorization: Bearer " + userToken(user) + "\r\n" + header;
		RawHttp.Answer answer = this.raw.send("POST", "/api/coupons/" + couponId + "/issue",
				authorization + "\r\nContent-Length: 0\r\n", new byte[0]);
		assertProblem(answer, 400, "INVALID_REQUEST");
		assertThat(count("user_coupons WHERE coupon_id = " + couponId)).isZero();
	}

	@Test
	void aSixtyKilobyteTokenIs431ProblemDetail() {
		RawHttp.Answer answer = this.raw.send("GET", "/api/products", "Authorization: Bearer " + "a".repeat(60_000) + "\r\n",
				new byte[0]);
		assertProblem(answer, 431, "HEADERS_TOO_LARGE");
	}

	@Test
	void anEightThousandCharacterIdempotencyKeyIs400AndPlacesNothing() {
		long before = count("orders");
		byte[] body = ("{\"items\":[{\"productId\":" + this.productId + ",\"quantity\":1}]}").getBytes(StandardCharsets.UTF_8);
		RawHttp.Answer answer = this.raw.send("POST", "/api/orders", admin() + JSON + "Idempotency-Key: " + "k".repeat(8000)
				+ "\r\nContent-Length: " + body.length + "\r\n", body);
		assertProblem(answer, 400, "INVALID_REQUEST");
		assertThat(count("orders")).isEqualTo(before);
	}

	@Test
	void aTenKilobyteRequestTargetIs414ProblemDetail() {
		RawHttp.Answer answer = this.raw.send("GET", "/api/products?q=" + "a".repeat(10_000), admin(), new byte[0]);
		assertProblem(answer, 414, "URI_TOO_LONG");
	}

	@ParameterizedTest
	@ValueSource(strings = { "text/html", "application/xml", "text/plain;q=1, application/json;q=0" })
	void anAcceptExcludingJsonIs406BeforeTheHandlerRuns(String accept) {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 5);
		long user = CouponFixtures.freshUsers(1);
		RawHttp.Answer answer = this.raw.send("POST", "/api/coupons/" + couponId + "/issue",
				"Authorization: Bearer " + userToken(user) + "\r\nAccept: " + accept + "\r\nContent-Length: 0\r\n", new byte[0]);
		assertProblem(answer, 406, "NOT_ACCEPTABLE");
		assertThat(count("user_coupons WHERE coupon_id = " + couponId)).isZero();
	}

	@ParameterizedTest
	@ValueSource(strings = { "application/json; charset=UTF-16", "application/json; charset=ISO-8859-1", "text/plain" })
	void aBodyThatIsNotUtf8JsonIs415(String type) {
		long before = count("users");
		byte[] body = "{\"name\":\"labelled\"}".getBytes(StandardCharsets.UTF_8);
		RawHttp.Answer answer = this.raw.send("POST", "/api/admin/users",
				admin() + "Content-Type: " + type + "\r\nContent-Length: " + body.length + "\r\n", body);
		assertProblem(answer, 415, "UNSUPPORTED_MEDIA_TYPE");
		assertThat(count("users")).isEqualTo(before);
	}

	// item 15: one canonical form

	@ParameterizedTest
	@ValueSource(strings = { "{\"status\":1}", "{\"status\":0}", "{\"status\":\"1\"}", "{\"status\":\" ACTIVE\"}",
			"{\"status\":\"INACTIVE \"}", "{\"status\":\"inactive\"}", "{\"status\":\"\"}", "{\"status\":[\"INACTIVE\"]}" })
	void enumsAreReadByTheirExactNameOnly(String body) {
		ProductFixtures.patch(this.client, adminToken(), this.productId, "{\"status\":\"ACTIVE\"}").expectStatus().isOk();
		expectProblem(ProductFixtures.patch(this.client, adminToken(), this.productId, body), HttpStatus.BAD_REQUEST,
				"INVALID_REQUEST");
		assertThat(productColumn("status")).isEqualTo("ACTIVE");
	}

	@Test
	void theDetailNamesTheMemberInError() {
		ProductFixtures.patch(this.client, adminToken(), this.productId, "{\"price\":5,\"status\":1}")
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.detail").value((detail) -> assertThat((String) detail).contains("'status'"));
		this.client.post().uri("/api/orders").headers((h) -> {
			h.setBearerAuth(adminToken());
			h.set("Idempotency-Key", "detail-" + System.nanoTime());
		}).contentType(org.springframework.http.MediaType.APPLICATION_JSON)
			.bodyValue("{\"items\":[{\"productId\":\"1\",\"quantity\":1}]}").exchange()
			.expectStatus().isBadRequest()
			.expectBody().jsonPath("$.detail").value((detail) -> assertThat((String) detail).contains("'items[0].productId'"));
	}

	@ParameterizedTest
	@ValueSource(strings = { "+1", "0001", "01", "%D9%A1", "%EF%BC%91", "1e0", "0x1", "9223372036854775808" })
	void pathIdsAreAsciiDigitsWithoutSignOrLeadingZero(String id) {
		RawHttp.Answer answer = this.raw.send("GET", "/api/products/" + id, admin(), new byte[0]);
		assertProblem(answer, 400, "INVALID_REQUEST");
	}

	@Test
	void anIdWithLeadingZerosDoesNotPatchTheProductItNames() {
		String padded = "0".repeat(5) + this.productId;
		byte[] body = "{\"price\":7}".getBytes(StandardCharsets.UTF_8);
		RawHttp.Answer answer = this.raw.send("PATCH", "/api/admin/products/" + padded,
				admin() + JSON + "Content-Length: " + body.length + "\r\n", body);
		assertProblem(answer, 400, "INVALID_REQUEST");
		assertThat(productColumn("price")).isEqualTo("1000");
	}

	@ParameterizedTest
	@ValueSource(strings = { "size=+5", "size=05", "size=%D9%A5", "cursor=0001", "cursor=+1" })
	void queryIntegersAreCanonicalToo(String query) {
		RawHttp.Answer answer = this.raw.send("GET", "/api/balance/transactions?" + query,
				"Authorization: Bearer " + userToken(CouponFixtures.freshUsers(1)) + "\r\n", new byte[0]);
		assertProblem(answer, 400, "INVALID_REQUEST");
	}

	@ParameterizedTest
	@ValueSource(strings = { "+1", "0001", "\u0661", "1 ", "0", "-1" })
	void aTokenSubjectMustBeACanonicalUserId(String subject) {
		String token = ForgedTokens.sign(this.secret, subject, Instant.now().plusSeconds(600));
		RawHttp.Answer answer = this.raw.send("GET", "/api/balance", "Authorization: Bearer " + token + "\r\n", new byte[0]);
		assertProblem(answer, 401, "UNAUTHORIZED");
	}

	@Test
	void aRolesClaimGivenAsAPlainStringGrantsNothing() {
		long before = count("users");
		String token = ForgedTokens.sign(this.secret, new JWTClaimsSet.Builder().subject("1")
			.expirationTime(Date.from(Instant.now().plusSeconds(600)))
			.claim("roles", "ADMIN")
			.build());
		expectProblem(postJson("/api/admin/users", token, "{\"name\":\"intruder\"}"), HttpStatus.FORBIDDEN, "FORBIDDEN");
		assertThat(count("users")).isEqualTo(before);
	}

	@ParameterizedTest
	@ValueSource(strings = { "a\\u0000b", "a\\u0007b", "tab\\there", "line\\nbreak", "a\\u007fb", "a\\u0085b", "a\\ud800b",
			"a\\udc00b", "\\ud83d", "a\\ufffeb" })
	void namesWithControlCharactersOrLoneSurrogatesAre400(String escaped) {
		long users = count("users");
		expectProblem(postJson("/api/admin/users", adminToken(), "{\"name\":\"" + escaped + "\"}"), HttpStatus.BAD_REQUEST,
				"INVALID_REQUEST");
		assertThat(count("users")).isEqualTo(users);
		expectProblem(ProductFixtures.patch(this.client, adminToken(), this.productId, "{\"name\":\"" + escaped + "\"}"),
				HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(productColumn("name")).isEqualTo("Strict");
	}

	@Test
	void aNameWithAPairedSurrogateIsKept() {
		ProductFixtures.patch(this.client, adminToken(), this.productId, "{\"name\":\"Gift \\ud83c\\udf81 box\"}")
			.expectStatus().isOk();
		assertThat(productColumn("name")).isEqualTo("Gift \ud83c\udf81 box");
	}

	@ParameterizedTest
	@ValueSource(strings = { "1893456000", "1893456000000", "\"1893456000\"", "1.8934560E9", "\"2030-01-01\"",
			"\"2030-01-01T00:00:00\"", "\"2030-01-01 00:00:00Z\"", "[2030,1,1]" })
	void windowInstantsAreIsoStringsOnly(String startsAt) {
		long before = count("coupons");
		String body = "{\"code\":\"STRICT-" + System.nanoTime() + "\",\"name\":\"n\",\"discountAmount\":100,"
				+ "\"totalQuantity\":5,\"startsAt\":" + startsAt + ",\"endsAt\":\"2031-01-01T00:00:00Z\",\"validDays\":3}";
		expectProblem(postJson("/api/admin/coupons", adminToken(), body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(count("coupons")).isEqualTo(before);
	}

	@ParameterizedTest
	@ValueSource(strings = { "{\"name\":\"x\",\"stock\":1}", "{\"name\":\"x\",\"price\":1}", "{\"name\":\"x\",\"price\":null,\"stock\":1}",
			"{\"name\":\"x\",\"price\":1,\"stock\":1,\"stok\":5}", "{\"name\":\"x\",\"price\":1,\"price\":2,\"stock\":1}",
			"{\"name\":\"x\",\"price\":\"1\",\"stock\":1}", "{\"name\":\"x\",\"price\":1.0,\"stock\":1}",
			"{\"name\":\"x\",\"price\":true,\"stock\":1}", "{\"name\":7,\"price\":1,\"stock\":1}",
			"{\"name\":[\"x\"],\"price\":1,\"stock\":1}", "{\"name\":\"x\",\"price\":[1],\"stock\":1}" })
	void noMemberIsDefaultedIgnoredOrCoerced(String body) {
		long before = count("products");
		expectProblem(postJson("/api/admin/products", adminToken(), body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		assertThat(count("products")).isEqualTo(before);
	}

	@Test
	void aChargeWithAMissingAmountOrAStringAmountIs400() {
		long user = BalanceFixtures.newAccount(this.client, adminToken());
		for (String body : List.of("{}", "{\"amount\":\"5000\"}", "{\"amount\":5000.0}", "{\"amount\":5000,\"amount\":6000}")) {
			expectProblem(postJson("/api/balance/charge", userToken(user), body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		}
		assertThat(count("balance_transactions WHERE user_id = " + user)).isZero();
	}

	private String admin() {
		return "Authorization: Bearer " + adminToken() + "\r\n";
	}

	/** A valid product body padded with spaces to exactly {@code size} bytes. */
	private static byte[] paddedProduct(int size) {
		String json = "{\"name\":\"Padded\",\"price\":1,\"stock\":1}";
		return (json.substring(0, json.length() - 1) + " ".repeat(size - json.length()) + "}").getBytes(StandardCharsets.UTF_8);
	}

	private static byte[] chunked(byte[] body, int chunk) {
		StringBuilder out = new StringBuilder();
		for (int at = 0; at < body.length; at += chunk) {
			int n = Math.min(chunk, body.length - at);
			out.append(Integer.toHexString(n)).append("\r\n").append(new String(body, at, n, StandardCharsets.ISO_8859_1))
				.append("\r\n");
		}
		return out.append("0\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
	}

	private static void assertProblem(RawHttp.Answer answer, int status, String code) {
		assertThat(answer.status()).as(answer.toString()).isEqualTo(status);
		assertThat(answer.contentType()).as(answer.toString()).startsWith("application/problem+json");
		assertThat(answer.body()).as(answer.toString()).contains("\"code\":\"" + code + "\"").contains("\"status\":" + status);
	}

	private long count(String tableAndCondition) {
		return this.db.sql("SELECT COUNT(*) AS n FROM " + tableAndCondition).map((row) -> row.get("n", Long.class)).one()
			.block();
	}

	private String productColumn(String column) {
		return this.db.sql("SELECT " + column + " AS v FROM products WHERE id = ?").bind(0, this.productId)
			.map((row) -> String.valueOf(row.get("v", Object.class))).one().block();
	}

}

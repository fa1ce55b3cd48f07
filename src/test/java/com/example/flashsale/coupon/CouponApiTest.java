package com.example.flashsale.coupon;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import reactor.core.publisher.Mono;
import reactor.netty.ByteBufFlux;
import reactor.netty.http.client.HttpClient;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.r2dbc.core.DatabaseClient;
import org.springframework.test.web.reactive.server.WebTestClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.support.security.ForgedTokens;

/** Every status code of the coupon API and its problem detail, auth included (docs/api.md "Coupons"). */
class CouponApiTest extends IntegrationTest {

	@Value("${app.security.jwt.secret}")
	String secret;

	@Autowired
	DatabaseClient db;


	@Test
	void claimAnswers201ThenListsTheCoupon() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		String token = userToken(CouponFixtures.freshUsers(1));

		this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(token))
			.exchange()
			.expectStatus().isCreated()
			.expectBody()
			.jsonPath("$.userCouponId").isNumber()
			.jsonPath("$.couponId").isEqualTo(couponId)
			.jsonPath("$.issuedAt").isNotEmpty();

		this.client.get().uri("/api/coupons").headers((h) -> h.setBearerAuth(token))
			.exchange()
			.expectStatus().isOk()
			.expectBody()
			.jsonPath("$.coupons.length()").isEqualTo(1)
			.jsonPath("$.coupons[0].couponId").isEqualTo(couponId)
			.jsonPath("$.coupons[0].name").isEqualTo("Test event")
			.jsonPath("$.coupons[0].discountAmount").isEqualTo(1000)
			.jsonPath("$.coupons[0].status").isEqualTo("AVAILABLE")
			.jsonPath("$.coupons[0].issuedAt").isNotEmpty()
			.jsonPath("$.coupons[0].expiresAt").isNotEmpty();
	}

	@Test
	void aUserWithoutCouponsGetsAnEmptyList() {
		this.client.get().uri("/api/coupons").headers((h) -> h.setBearerAuth(userToken(CouponFixtures.freshUsers(1))))
			.exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.coupons").isEmpty();
	}

	@Test
	void secondClaimIs409AndSoldOutIs410() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 1);
		long user = CouponFixtures.freshUsers(2);
		claim(couponId, userToken(user)).expectStatus().isCreated()
			.expectBody().returnResult();
		expectProblem(claim(couponId, userToken(user)), HttpStatus.CONFLICT, "COUPON_ALREADY_ISSUED");
		expectProblem(claim(couponId, userToken(user + 1)), HttpStatus.GONE, "COUPON_SOLD_OUT");
	}

	@Test
	void claimsOutsideTheWindowAre403() {
		Instant now = Instant.now();
		long notStarted = CouponFixtures.create(this.client, adminToken(), 10, now.plus(Duration.ofHours(1)),
				now.plus(Duration.ofHours(2)));
		long ended = CouponFixtures.create(this.client, adminToken(), 10, now.minus(Duration.ofHours(2)),
				now.minus(Duration.ofHours(1)));
		String token = userToken(CouponFixtures.freshUsers(1));
		expectProblem(claim(notStarted, token), HttpStatus.FORBIDDEN, "COUPON_NOT_ISSUABLE");
		expectProblem(claim(ended, token), HttpStatus.FORBIDDEN, "COUPON_NOT_ISSUABLE");
	}

	@Test
	void unknownCouponIs404() {
		expectProblem(claim(Long.MAX_VALUE, userToken(1)), HttpStatus.NOT_FOUND, "COUPON_NOT_FOUND");
		expectProblem(this.client.get().uri("/api/admin/coupons/{id}", Long.MAX_VALUE)
			.headers((h) -> h.setBearerAuth(adminToken())).exchange(), HttpStatus.NOT_FOUND, "COUPON_NOT_FOUND");
	}

	@ParameterizedTest
	@ValueSource(strings = { "abc", "0", "-5", "99999999999999999999", "1.5" })
	void malformedCouponIdsAre400(String id) {
		expectProblem(this.client.post().uri("/api/coupons/" + id + "/issue").headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
	}

	@Test
	void missingForgedExpiredOrMalformedTokensAre401() {
		long couponId = CouponFixtures.openEvent(this.client, adminToken(), 10);
		Instant later = Instant.now().plus(Duration.ofHours(1));
		String[] refused = { ForgedTokens.sign("another-secret-of-at-least-32-bytes-length!!", "7", later),
				ForgedTokens.sign(this.secret, "7", Instant.now().minus(Duration.ofHours(1))),
				ForgedTokens.sign(this.secret, "7", null), ForgedTokens.sign(this.secret, "alice", later),
				ForgedTokens.sign(this.secret, null, later), "not-a-jwt" };
		expectProblem(this.client.post().uri("/api/coupons/{id}/issue", couponId).exchange(), HttpStatus.UNAUTHORIZED,
				"UNAUTHORIZED");
		for (String token : refused) {
			expectProblem(claim(couponId, token), HttpStatus.UNAUTHORIZED, "UNAUTHORIZED");
		}
		// nothing was issued by any of them
		CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
		org.assertj.core.api.Assertions.assertThat(view.issuedCount()).isZero();
	}

	@Test
	void usersAreForbiddenOnAdminRoutes() {
		expectProblem(this.client.get().uri("/api/admin/coupons/1").headers((h) -> h.setBearerAuth(userToken(1)))
			.exchange(), HttpStatus.FORBIDDEN, "FORBIDDEN");
		expectProblem(this.client.post().uri("/api/admin/coupons").headers((h) -> h.setBearerAuth(userToken(1)))
			.contentType(MediaType.APPLICATION_JSON).bodyValue("{}").exchange(), HttpStatus.FORBIDDEN, "FORBIDDEN");
	}

	@Test
	void createAnswers201WithTheOperatorsViewAnd409OnADuplicateCode() {
		Instant now = Instant.now();
		Map<String, Object> body = Map.of("code", "DUP-" + System.nanoTime(), "name", "Dup", "discountAmount", 500,
				"totalQuantity", 3, "startsAt", now.toString(), "endsAt", now.plus(Duration.ofHours(1)).toString(),
				"validDays", 2);
		this.client.post().uri("/api/admin/coupons").headers((h) -> h.setBearerAuth(adminToken())).bodyValue(body)
			.exchange()
			.expectStatus().isCreated()
			.expectHeader().valueMatches("Location", "/api/admin/coupons/\\d+")
			.expectBody()
			.jsonPath("$.id").isNumber()
			.jsonPath("$.totalQuantity").isEqualTo(3)
			.jsonPath("$.issuedCount").isEqualTo(0)
			.jsonPath("$.remainingQuantity").isEqualTo(3);
		expectProblem(this.client.post().uri("/api/admin/coupons").headers((h) -> h.setBearerAuth(adminToken()))
			.bodyValue(body).exchange(), HttpStatus.CONFLICT, "DUPLICATE_COUPON_CODE");
	}

	@ParameterizedTest
	@ValueSource(strings = { "{", "[]", "\"text\"", "{\"code\":\"A\",\"totalQuantity\":\"many\"}",
			"{\"code\":\"A\",\"totalQuantity\":99999999999}",
			"{\"code\":\"A\",\"name\":\"n\",\"discountAmount\":100,\"totalQuantity\":5,\"startsAt\":\"yesterday\"}",
			"{\"code\":\"A B\",\"name\":\"n\",\"discountAmount\":100,\"totalQuantity\":5,\"startsAt\":\"2030-01-01T00:00:00Z\",\"endsAt\":\"2030-01-02T00:00:00Z\",\"validDays\":1}",
			"{\"code\":\"A\",\"name\":\"n\",\"discountAmount\":-1,\"totalQuantity\":5,\"startsAt\":\"2030-01-01T00:00:00Z\",\"endsAt\":\"2030-01-02T00:00:00Z\",\"validDays\":1}",
			"{\"code\":\"A\",\"name\":\"n\",\"discountAmount\":100,\"totalQuantity\":0,\"startsAt\":\"2030-01-01T00:00:00Z\",\"endsAt\":\"2030-01-02T00:00:00Z\",\"validDays\":1}",
			"{\"code\":\"A\",\"name\":\"n\",\"discountAmount\":100,\"totalQuantity\":5,\"startsAt\":\"2030-01-02T00:00:00Z\",\"endsAt\":\"2030-01-01T00:00:00Z\",\"validDays\":1}",
			"{\"code\":\"A\",\"name\":\"n\",\"discountAmount\":100,\"totalQuantity\":5,\"startsAt\":\"2030-01-01T00:00:00Z\",\"endsAt\":\"2030-01-02T00:00:00Z\",\"validDays\":0}",
			"{\"code\":\"A\",\"name\":\"n\",\"discountAmount\":100,\"totalQuantity\":5,\"startsAt\":\"2030-01-01T00:00:00Z\",\"endsAt\":\"+99999-01-01T00:00:00Z\",\"validDays\":1}" })
	void invalidCouponBodiesAre400AndCreateNothing(String body) {
		long before = coupons();
		expectProblem(postJson("/api/admin/coupons", adminToken(), body), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		org.assertj.core.api.Assertions.assertThat(coupons()).isEqualTo(before);
	}

	@Test
	void aMalformedContentTypeIs415() {
		// WebClient refuses to send such a header, so this goes through Reactor Netty directly
		String[] answer = HttpClient.create()
			.headers((h) -> h.set("Authorization", "Bearer " + adminToken()).set("Content-Type", "not a media type"))
			.post()
			.uri("http://127.0.0.1:" + this.port + "/api/admin/coupons")
			.send(ByteBufFlux.fromString(Mono.just("{}")))
			.responseSingle((response, body) -> body.asString()
				.map((text) -> new String[] { String.valueOf(response.status().code()),
						response.responseHeaders().get("Content-Type"), text }))
			.block(Duration.ofSeconds(10));
		org.assertj.core.api.Assertions.assertThat(answer[0]).isEqualTo("415");
		org.assertj.core.api.Assertions.assertThat(answer[1]).startsWith("application/problem+json");
		org.assertj.core.api.Assertions.assertThat(answer[2]).contains("\"code\":\"UNSUPPORTED_MEDIA_TYPE\"");
	}

	@Test
	void anEventWhoseWindowEndedLongAgoReportsItsRemainingQuantityFromMySql() {
		Instant now = Instant.now();
		long couponId = CouponFixtures.create(this.client, adminToken(), 7, now.minus(Duration.ofDays(5)),
				now.minus(Duration.ofDays(3)));
		CouponAdminView view = CouponFixtures.view(this.client, adminToken(), couponId);
		org.assertj.core.api.Assertions.assertThat(view.remainingQuantity()).isEqualTo(7);
		expectProblem(claim(couponId, userToken(CouponFixtures.freshUsers(1))), HttpStatus.FORBIDDEN,
				"COUPON_NOT_ISSUABLE");
	}

	private long coupons() {
		return this.db.sql("SELECT COUNT(*) AS n FROM coupons").map((row) -> row.get("n", Long.class)).one().block();
	}

	@Test
	void anEmptyBodyIs400AndAnOversizedOne413() {
		expectProblem(this.client.post().uri("/api/admin/coupons").headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON).exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
		String huge = "{\"code\":\"BIG\",\"name\":\"" + "x".repeat(200_000) + "\"}";
		expectProblem(this.client.post().uri("/api/admin/coupons").headers((h) -> h.setBearerAuth(adminToken()))
			.contentType(MediaType.APPLICATION_JSON).bodyValue(huge).exchange(), HttpStatus.CONTENT_TOO_LARGE,
				"BODY_TOO_LARGE");
	}

	private WebTestClient.ResponseSpec claim(long couponId, String token) {
		return this.client.post().uri("/api/coupons/{id}/issue", couponId).headers((h) -> h.setBearerAuth(token)).exchange();
	}

}

package com.example.flashsale.support.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import com.nimbusds.jwt.JWTClaimsSet;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.data.redis.core.ReactiveStringRedisTemplate;
import org.springframework.data.redis.core.ScanOptions;
import org.springframework.r2dbc.core.DatabaseClient;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.OpenApiContract;
import com.example.flashsale.RawHttp;
import com.example.flashsale.balance.BalanceFixtures;
import com.example.flashsale.coupon.CouponFixtures;
import com.example.flashsale.product.ProductFixtures;
import com.example.flashsale.support.security.ForgedTokens;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The generated bad-input test of docs/api.md "Strict input": every operation of the service's own OpenAPI
 * document (which {@code OpenApiDocumentTest} proves is every route the routers register, so a new route
 * is covered without touching this class) receives bad input generated from its description: missing,
 * malformed, forged, expired or under-privileged tokens; non-canonical path ids and paths; bad query values
 * and headers; oversized targets, headers and bodies; and, for operations with a body, malformed JSON,
 * wrong content types and, per member of the body's schema, wrong types, out-of-range and huge numbers,
 * control characters, lone surrogates, non-ISO instants, enum spellings, missing, unknown and repeated
 * members. Each answer must be a 4xx problem detail with a {@code code}, valid against the document, and
 * must change nothing: the row count of every table, the fixtures' rows and their Redis keys are the same
 * before and after. Finally the unmodified request of every operation must pass input validation, so the
 * refusals were about the bad input alone. Raw HTTP, so nothing is normalised on the way.
 */
class BadInputOnEveryRouteTest extends IntegrationTest {

	/**
	 * A valid body per operation that has one; {@code P} is replaced by a product id. An operation with a
	 * body and no entry here fails the test: add one.
	 */
	private static final Map<String, String> BODIES = Map.of(
			"POST /api/admin/coupons", "{\"code\":\"GEN-%s\",\"name\":\"Generated\",\"discountAmount\":100,"
					+ "\"totalQuantity\":5,\"startsAt\":\"2030-01-01T00:00:00Z\",\"endsAt\":\"2030-02-01T00:00:00Z\",\"validDays\":3}",
			"POST /api/admin/products", "{\"name\":\"Generated\",\"price\":1000,\"stock\":5}",
			"PATCH /api/admin/products/{productId}", "{\"name\":\"Generated\",\"price\":1000,\"stock\":50,\"status\":\"ACTIVE\"}",
			"POST /api/admin/users", "{\"name\":\"Generated\"}", "POST /api/balance/charge", "{\"amount\":1000}",
			"POST /api/orders", "{\"items\":[{\"productId\":P,\"quantity\":1}]}",
			// a room on a coupon id no event has: it protects nothing the other routes use
			"POST /api/admin/waiting-rooms", "{\"targetType\":\"COUPON\",\"targetId\":%s,\"admissionsPerSecond\":50}");

	/** Path ids that are not a positive id in canonical form, percent-encoded as sent. */
	private static final List<String> BAD_IDS = List.of("0", "-1", "+1", "01", "0001", "%D9%A1", "%EF%BC%91", "1.5", "1e3",
			"0x1", "abc", "1%20", "%201", "9223372036854775808", "99999999999999999999", "%00", "1%00", "1%2F2", "1;x",
			"%2e%2e", "%2E", "..", "%5C1", "%251", "1%0A", "%E2%80%AE1", "%FF");

	private static final List<String> BAD_QUERY_INTEGERS = List.of("0", "-1", "+1", "01", "%D9%A1", "1.5", "abc", "",
			"99999999999999999999", "%00", "1%20");

	private static final String JSON = "application/json";

	private static final AtomicLong unique = new AtomicLong(System.nanoTime());

	@Autowired
	DatabaseClient db;

	@Autowired
	ReactiveStringRedisTemplate redis;

	@Autowired
	JsonMapper json;

	@Value("${app.security.jwt.secret}")
	String secret;

	private RawHttp raw;

	private JsonNode document;

	private String tables;

	private long user;

	private long product;

	private long coupon;

	private long order;

	@TestFactory
	Stream<DynamicNode> everyRouteRefusesBadInput() {
		this.raw = new RawHttp(this.port);
		this.document = this.json.readTree(this.raw.send("GET", "/v3/api-docs", "", new byte[0]).body());
		this.tables = tableCounts();
		this.user = BalanceFixtures.newAccount(this.client, adminToken());
		BalanceFixtures.seedCharges(this.db, this.user, 1, 100_000);
		this.product = ProductFixtures.create(this.client, adminToken(), "Generated", 1000, 1000);
		this.coupon = CouponFixtures.openEvent(this.client, adminToken(), 100);
		this.order = placeOrder();
		List<DynamicNode> routes = new ArrayList<>();
		this.document.get("paths").properties().forEach((path) -> path.getValue().properties().forEach((operation) -> {
			Operation op = new Operation(operation.getKey().toUpperCase(Locale.ROOT), path.getKey(), operation.getValue());
			List<Case> cases = cases(op);
			String[] before = new String[1];
			List<DynamicTest> tests = new ArrayList<>();
			tests.add(DynamicTest.dynamicTest("state before", () -> before[0] = snapshot()));
			cases.forEach((c) -> tests.add(DynamicTest.dynamicTest(c.name(), () -> refused(op, c))));
			tests.add(DynamicTest.dynamicTest("nothing changed", () -> unchanged(op, cases, before[0])));
			tests.add(DynamicTest.dynamicTest("the unmodified request passes input validation", () -> accepted(op)));
			routes.add(DynamicContainer.dynamicContainer(op.key() + " (" + cases.size() + " cases)", tests.stream()));
		}));
		assertThat(routes).as("operations of the document").hasSizeGreaterThan(20);
		return routes.stream();
	}

	// the cases

	private List<Case> cases(Operation op) {
		List<Case> cases = new ArrayList<>();
		if (op.secured()) {
			authentication(op, cases);
		}
		for (String name : op.parameters("path")) {
			for (String bad : BAD_IDS) {
				cases.add(new Case("path " + name + "=" + bad, (r) -> r.path(op.path(Map.of(name, bad))), 400));
			}
		}
		cases.add(new Case("double slash", (r) -> r.path("/" + r.path), 400));
		cases.add(new Case("dot segment", (r) -> r.path("/." + r.path), 400));
		cases.add(new Case("dot-dot segment", (r) -> r.path("/x/.." + r.path), 400));
		cases.add(new Case("encoded slash", (r) -> r.path(r.path + "%2F1"), 400));
		cases.add(new Case("encoded dot segment", (r) -> r.path(r.path + "/%2e%2e"), 400));
		cases.add(new Case("matrix parameter", (r) -> r.path(r.path + ";jsessionid=1"), 400));
		for (String name : op.parameters("query")) {
			JsonNode schema = op.parameter(name).path("schema");
			if ("streamToken".equals(name)) {
				continue;
			}
			List<String> values = new ArrayList<>();
			if ("integer".equals(schema.path("type").asString())) {
				values.addAll(BAD_QUERY_INTEGERS);
				if (schema.has("maximum")) {
					values.add(Long.toString(schema.get("maximum").asLong() + 1));
				}
			}
			else if (schema.has("enum")) {
				String first = schema.get("enum").get(0).asString();
				values.addAll(List.of("%20" + first, first.toLowerCase(Locale.ROOT), "1", "", first + "%00", "NOPE"));
			}
			for (String bad : values) {
				cases.add(new Case("query " + name + "=" + bad, (r) -> r.query(name + "=" + bad), 400));
			}
		}
		if (op.parameters("header").contains("Idempotency-Key")) {
			for (String bad : List.of("", " ", "a b", "\u00e9t\u00e9", "k".repeat(256), "k".repeat(8000), "a\tb")) {
				cases.add(new Case("Idempotency-Key of " + bad.length() + " '" + abbreviate(bad) + "'",
						(r) -> r.header("Idempotency-Key", bad), 400));
			}
			cases.add(new Case("no Idempotency-Key", (r) -> r.header("Idempotency-Key", null), 400));
		}
		cases.add(new Case("a 60 KB token", (r) -> r.header("Authorization", "Bearer " + "a".repeat(60_000)), 431));
		cases.add(new Case("20 KB of other headers", (r) -> r.header("X-Padding", "p".repeat(20_000)), 431));
		cases.add(new Case("a 10 KB request target", (r) -> r.query("pad=" + "q".repeat(10_000)), 414));
		cases.add(new Case("a body over 64 KB with Content-Length",
				(r) -> r.contentType(JSON).body(padded(r.body != null ? r.body : "{}", 64 * 1024 + 1)), 413));
		cases.add(new Case("a chunked body over 64 KB",
				(r) -> r.contentType(JSON).body(padded(r.body != null ? r.body : "{}", 100 * 1024)).chunked(), 413));
		cases.add(new Case("an unknown method", (r) -> r.method("FROB"), 400));
		if (op.template().startsWith("/api/") && !op.streams()) {
			cases.add(new Case("Accept: text/html", (r) -> r.header("Accept", "text/html"), 406));
		}
		if (op.hasBody()) {
			bodies(op, cases);
		}
		return cases;
	}

	private void authentication(Operation op, List<Case> cases) {
		Instant in10Minutes = Instant.now().plusSeconds(600);
		Map<String, String> tokens = new LinkedHashMap<>();
		tokens.put("no Authorization", null);
		tokens.put("an empty bearer", "Bearer ");
		tokens.put("Basic credentials", "Basic dXNlcjpwYXNz");
		tokens.put("a bearer that is no JWT", "Bearer not.a.jwt");
		tokens.put("a token of another secret",
				"Bearer " + ForgedTokens.sign("another-secret-of-at-least-32-bytes-0123456789", "1", in10Minutes));
		tokens.put("an expired token", "Bearer " + ForgedTokens.sign(this.secret, "1", Instant.now().minusSeconds(60)));
		tokens.put("a token without exp", "Bearer " + ForgedTokens.sign(this.secret, "1", null));
		tokens.put("an unsigned token", "Bearer " + unsigned());
		for (String subject : List.of("+1", "0001", "\u0661", "-1", "0", "1.0", "user")) {
			tokens.put("subject '" + subject + "'", "Bearer " + ForgedTokens.sign(this.secret, subject, in10Minutes));
		}
		tokens.forEach((name, value) -> cases.add(new Case(name, (r) -> r.header("Authorization", value), 401)));
		if (op.admin()) {
			cases.add(new Case("a user token on an admin route", (r) -> r.header("Authorization", "Bearer " + userToken(this.user)),
					403));
			for (Object roles : List.of("ADMIN", List.of("admin"), List.of(" ADMIN"), Map.of("ADMIN", true))) {
				String token = ForgedTokens.sign(this.secret, new JWTClaimsSet.Builder().subject("1")
					.expirationTime(Date.from(in10Minutes))
					.claim("roles", roles)
					.build());
				cases.add(new Case("roles claim " + roles, (r) -> r.header("Authorization", "Bearer " + token), 403));
			}
		}
		if (op.parameters("query").contains("streamToken")) {
			cases.add(new Case("a forged stream token", (r) -> r.header("Authorization", null).query("streamToken=forged"), 401));
		}
	}

	private void bodies(Operation op, List<Case> cases) {
		for (String malformed : List.of("", "{", "}", "[", "{\"a\":", "nul", "{'name':'x'}", "{\"name\":\"x\",}", "[]", "null",
				"1", "\"x\"", "true", "[".repeat(3000) + "]".repeat(3000))) {
			cases.add(new Case("body '" + abbreviate(malformed) + "'", (r) -> r.body(malformed), 400));
		}
		cases.add(new Case("trailing garbage", (r) -> r.body(r.body + " x"), 400));
		cases.add(new Case("two documents", (r) -> r.body(r.body + r.body), 400));
		for (String type : List.of("text/plain", "application/xml", "application/x-www-form-urlencoded", "application/",
				"multipart/form-data; boundary=x")) {
			cases.add(new Case("Content-Type " + type, (r) -> r.contentType(type), 415));
		}
		cases.add(new Case("no Content-Type", (r) -> r.contentType(null), 415));
		cases.add(new Case("UTF-16 declared, UTF-8 sent", (r) -> r.contentType("application/json; charset=UTF-16"), 415));
		cases.add(new Case("an unknown charset", (r) -> r.contentType("application/json; charset=klingon"), 415));
		JsonNode base = this.json.readTree(op.body(this));
		members(op, resolve(op.bodySchema()), "", base, cases);
	}

	/** Cases for each member of an object schema at {@code at} ("" for the top level, "items/0/" nested). */
	private void members(Operation op, JsonNode schema, String at, JsonNode base, List<Case> cases) {
		JsonNode properties = schema.path("properties");
		List<String> required = new ArrayList<>();
		schema.path("required").forEach((name) -> required.add(name.asString()));
		cases.add(new Case(at + "an unknown member", (r) -> r.body(Json.with(this.json, r.body, at + "unexpected", "1")), 400));
		Iterator<String> present = base.propertyNames().iterator();
		if (present.hasNext()) {
			String first = present.next();
			cases.add(new Case(at + first + " twice", (r) -> r.body(Json.twice(this.json, r.body, at + first)), 400));
		}
		for (String name : required) {
			cases.add(new Case(at + name + " missing", (r) -> r.body(Json.with(this.json, r.body, at + name, null)), 400));
		}
		properties.properties().forEach((entry) -> {
			String name = entry.getKey();
			JsonNode property = resolve(entry.getValue());
			List<String> values = new ArrayList<>(badValues(property));
			if (required.contains(name)) {
				values.add("null");
			}
			values.add("[".repeat(2000) + "]".repeat(2000));
			for (String bad : values) {
				cases.add(new Case(at + name + "=" + abbreviate(bad), (r) -> r.body(Json.with(this.json, r.body, at + name, bad)),
						400));
			}
			if ("array".equals(property.path("type").asString()) && base.path(name).isArray() && !base.path(name).isEmpty()) {
				JsonNode items = resolve(property.path("items"));
				for (String bad : List.of("1", "\"x\"", "null", "[]")) {
					cases.add(new Case(at + name + "/0=" + bad, (r) -> r.body(Json.with(this.json, r.body, at + name + "/0", bad)),
							400));
				}
				if (items.has("properties")) {
					members(op, items, at + name + "/0/", base.path(name).get(0), cases);
				}
			}
		});
	}

	/** {@code schema}, its {@code $ref} resolved against the document's components. */
	private JsonNode resolve(JsonNode schema) {
		String ref = schema.path("$ref").asString("");
		if (ref.isEmpty()) {
			return schema;
		}
		return this.document.path("components").path("schemas").path(ref.substring(ref.lastIndexOf('/') + 1));
	}

	/** JSON texts of the wrong type or out of range for {@code schema}. */
	private static List<String> badValues(JsonNode schema) {
		List<String> values = new ArrayList<>();
		String type = schema.path("type").asString();
		if (schema.has("enum")) {
			String first = schema.get("enum").get(0).asString();
			values.addAll(List.of("0", "1", "\"1\"", "\" " + first + "\"", "\"" + first + " \"",
					"\"" + first.toLowerCase(Locale.ROOT) + "\"", "\"\"", "\"NOPE\"", "[\"" + first + "\"]", "true"));
			return values;
		}
		switch (type) {
			case "integer" -> {
				values.addAll(List.of("\"5\"", "5.5", "5.0", "1e2", "true", "[5]", "{}", "\"\"", "9223372036854775808",
						"-9223372036854775809", "1" + "0".repeat(1200), "1e400", "NaN", "0x10", "+5", "05", "\"\u0665\""));
				if (schema.has("minimum")) {
					long minimum = schema.get("minimum").asLong();
					values.add(Long.toString(schema.path("exclusiveMinimum").asBoolean() ? minimum : minimum - 1));
					values.add("-1");
				}
				if (schema.has("maximum")) {
					values.add(Long.toString(schema.get("maximum").asLong() + 1));
				}
			}
			case "string" -> {
				values.addAll(List.of("7", "true", "{}", "[\"x\"]", "\"a\\u0000b\"", "\"a\\u0007b\"", "\"a\\nb\"", "\"a\\u007fb\"",
						"\"a\\u0085b\"", "\"\\ud800\"", "\"a\\udc00b\"", "\"\\ufffe\""));
				if (schema.has("maxLength")) {
					values.add("\"" + "x".repeat(schema.get("maxLength").asInt() + 1) + "\"");
				}
				if ("date-time".equals(schema.path("format").asString())) {
					values.addAll(List.of("1893456000", "1893456000000", "\"1893456000\"", "\"2030-01-01\"",
							"\"2030-01-01T00:00:00\"", "\"2030-01-01 00:00:00Z\"", "\"tomorrow\"", "[2030,1,1]"));
				}
				if (schema.has("pattern")) {
					Pattern pattern = Pattern.compile(schema.get("pattern").asString());
					Stream.of("has space", " ", "\u00e9").filter((text) -> !pattern.matcher(text).matches())
						.forEach((text) -> values.add("\"" + text + "\""));
				}
			}
			case "array" -> values.addAll(List.of("{}", "\"x\"", "1", "true"));
			case "object" -> values.addAll(List.of("[]", "\"x\"", "1"));
			default -> {
			}
		}
		return values;
	}

	// running a case

	private void refused(Operation op, Case c) {
		Request request = c.change().apply(op.request(this));
		RawHttp.Answer answer = request.send(this.raw);
		String context = c.name() + ": " + request.method + " " + abbreviate(request.target()) + " -> " + answer;
		assertThat(answer.status()).as(context).isBetween(400, 499);
		assertThat(answer.contentType()).as(context).startsWith("application/problem+json");
		JsonNode problem = this.json.readTree(answer.body());
		assertThat(problem.path("code").asString()).as(context).isNotEmpty();
		assertThat(problem.path("status").asInt()).as(context).isEqualTo(answer.status());
		assertThat(answer.status()).as(context).isEqualTo(c.status());
		if (request.method.equals(op.method()) && request.documentedPath()) {
			assertThat(OpenApiContract.violations("http://127.0.0.1:" + this.port, request.method, request.path,
					answer.status(), answer.contentType(), answer.body())).as(context).isEmpty();
		}
	}

	/**
	 * The route's cases changed nothing: one comparison for all of them; when it fails, each case is sent
	 * again between two snapshots to name the ones that write.
	 */
	private void unchanged(Operation op, List<Case> cases, String before) {
		String after = snapshot();
		if (after.equals(before)) {
			return;
		}
		List<String> writers = new ArrayList<>();
		for (Case c : cases) {
			String start = snapshot();
			c.change().apply(op.request(this)).send(this.raw);
			String end = snapshot();
			if (!end.equals(start)) {
				writers.add(c.name() + ":\n" + start + " ->\n" + end);
			}
		}
		fail(op.key() + " changed state:\n" + before + " ->\n" + after + "\nCases that write: " + writers);
	}

	private void accepted(Operation op) {
		if (op.streams()) {
			return;
		}
		RawHttp.Answer answer = op.request(this).send(this.raw);
		assertThat(answer.status()).as(op.key() + " -> " + answer).isBetween(200, 499)
			.isNotIn(400, 401, 403, 405, 406, 413, 414, 415, 431);
	}

	/** Row counts of every table, the fixtures' rows and their Redis keys. */
	private String snapshot() {
		StringBuilder out = new StringBuilder(this.db.sql(this.tables).map((row, metadata) -> {
			StringBuilder counts = new StringBuilder();
			for (int i = 0; i < metadata.getColumnMetadatas().size(); i++) {
				counts.append(metadata.getColumnMetadatas().get(i).getName()).append('=').append(row.get(i)).append(' ');
			}
			return counts.append('\n').toString();
		}).one().block());
		out.append(row("SELECT CONCAT_WS('|', name, price, stock, status) FROM products WHERE id = ?", this.product));
		out.append(row("SELECT CONCAT_WS('|', name, balance) FROM users WHERE id = ?", this.user));
		out.append(row("SELECT CONCAT_WS('|', code, issued_count, total_quantity, starts_at, ends_at) FROM coupons WHERE id = ?",
				this.coupon));
		Map<String, String> keys = new TreeMap<>();
		this.redis.scan(ScanOptions.scanOptions().match("*{" + this.user + "}*").count(1000).build())
			// a waiting room whose id happens to equal the user's: its line moves on its own
			.filter((key) -> !key.startsWith("room:{"))
			.concatWith(Stream.of("stock:{catalog}:" + this.product, "product:" + this.product, "coupon:{" + this.coupon + "}:state",
					"coupon:{" + this.coupon + "}:issued", "products:all")
				.collect(java.util.stream.Collectors.collectingAndThen(java.util.stream.Collectors.toList(),
						reactor.core.publisher.Flux::fromIterable)))
			.concatMap((key) -> this.redis.type(key).flatMap((type) -> switch (type.code()) {
				case "string" -> this.redis.opsForValue().get(key);
				case "hash" -> this.redis.opsForHash().entries(key).collectList().map(Object::toString);
				case "set" -> this.redis.opsForSet().size(key).map(Object::toString);
				case "stream" -> this.redis.opsForStream().size(key).map(Object::toString);
				default -> reactor.core.publisher.Mono.just(type.code());
			}).map((value) -> Map.entry(key, value)))
			.doOnNext((entry) -> keys.put(entry.getKey(), entry.getValue()))
			.blockLast(Duration.ofSeconds(10));
		return out.append(keys).toString();
	}

	private String row(String sql, long id) {
		return this.db.sql(sql).bind(0, id).map((r) -> String.valueOf(r.get(0))).one().blockOptional().orElse("none") + "\n";
	}

	/** One query counting the rows of every table of the schema. */
	private String tableCounts() {
		List<String> names = this.db.sql("SELECT table_name AS t FROM information_schema.tables "
				+ "WHERE table_schema = DATABASE() AND table_type = 'BASE TABLE' ORDER BY table_name")
			.map((row) -> row.get("t", String.class)).all().collectList().block();
		assertThat(names).contains("orders", "products", "users", "user_coupons", "balance_transactions");
		StringBuilder sql = new StringBuilder("SELECT ");
		for (int i = 0; i < names.size(); i++) {
			sql.append((i > 0) ? ", " : "").append("(SELECT COUNT(*) FROM `").append(names.get(i)).append("`) AS `")
				.append(names.get(i)).append('`');
		}
		return sql.toString();
	}

	private long placeOrder() {
		RawHttp.Answer answer = new Request("POST", "/api/orders", this).header("Authorization", "Bearer " + userToken(this.user))
			.header("Idempotency-Key", "gen-" + unique.incrementAndGet())
			.contentType(JSON)
			.body("{\"items\":[{\"productId\":" + this.product + ",\"quantity\":1}]}")
			.send(this.raw);
		assertThat(answer.status()).as(answer.toString()).isEqualTo(201);
		return this.json.readTree(answer.body()).get("orderId").asLong();
	}

	private String unsigned() {
		String header = java.util.Base64.getUrlEncoder().withoutPadding()
			.encodeToString("{\"alg\":\"none\"}".getBytes(StandardCharsets.UTF_8));
		String claims = java.util.Base64.getUrlEncoder().withoutPadding()
			.encodeToString(("{\"sub\":\"1\",\"roles\":[\"ADMIN\"],\"exp\":" + (Instant.now().getEpochSecond() + 600) + "}")
				.getBytes(StandardCharsets.UTF_8));
		return header + "." + claims + ".";
	}

	private static String padded(String body, int size) {
		String trimmed = body.strip();
		return trimmed.substring(0, trimmed.length() - 1) + " ".repeat(Math.max(0, size - trimmed.length()))
				+ trimmed.charAt(trimmed.length() - 1);
	}

	private static String abbreviate(String text) {
		String shown = text.replaceAll("[\\p{Cntrl}]", "?");
		return (shown.length() > 40) ? shown.substring(0, 37) + "..." : shown;
	}

	// the model

	/** One generated case: what it changes in the operation's valid request and the status it must get. */
	private record Case(String name, Function<Request, Request> change, int status) {
	}

	/** An operation of the document. */
	private record Operation(String method, String template, JsonNode node) {

		String key() {
			return this.method + " " + this.template;
		}

		boolean secured() {
			return this.node.has("security");
		}

		boolean admin() {
			return this.template.startsWith("/api/admin/");
		}

		boolean hasBody() {
			return this.node.has("requestBody");
		}

		boolean streams() {
			return this.node.path("responses").path("200").path("content").has("text/event-stream");
		}

		List<String> parameters(String in) {
			List<String> names = new ArrayList<>();
			this.node.path("parameters").forEach((p) -> {
				if (in.equals(p.path("in").asString())) {
					names.add(p.path("name").asString());
				}
			});
			return names;
		}

		JsonNode parameter(String name) {
			for (JsonNode p : this.node.path("parameters")) {
				if (name.equals(p.path("name").asString())) {
					return p;
				}
			}
			throw new IllegalArgumentException(name);
		}

		JsonNode bodySchema() {
			return this.node.path("requestBody").path("content").path(JSON).path("schema");
		}

		/** The path with {@code values} for the named parameters and valid ids for the others. */
		String path(Map<String, String> values) {
			String path = this.template;
			for (String name : parameters("path")) {
				// a route with two path variables: the one not under test takes a valid id
				path = path.replace("{" + name + "}", values.getOrDefault(name, "1"));
			}
			return path;
		}

		String body(BadInputOnEveryRouteTest test) {
			String body = BODIES.get(key());
			if (body == null) {
				fail(key() + " takes a body: add a valid one to BODIES");
			}
			// P stands for the fixture product where a value is expected (not inside a word such as COUPON)
			return body.replaceAll(":P(?=[,}\\]])", ":" + test.product).replace("%s", Long.toString(unique.incrementAndGet()));
		}

		/** The valid request of this operation. */
		Request request(BadInputOnEveryRouteTest test) {
			String path = this.template.replace("{productId}", Long.toString(test.product))
				.replace("{couponId}", Long.toString(test.coupon))
				.replace("{orderId}", Long.toString(test.order))
				.replaceAll("\\{[^}]+\\}", "1");
			Request request = new Request(this.method, path, test);
			if (secured()) {
				request.header("Authorization", "Bearer " + (admin() ? test.adminToken() : test.userToken(test.user)));
			}
			if (parameters("header").contains("Idempotency-Key")) {
				request.header("Idempotency-Key", "gen-" + unique.incrementAndGet());
			}
			if (hasBody()) {
				request.contentType(JSON).body(body(test));
			}
			return request;
		}

	}

	/** A request under construction; {@code null} header values remove the header. */
	private static final class Request {

		String method;

		String path;

		String query;

		final Map<String, String> headers = new LinkedHashMap<>();

		String body;

		boolean chunked;

		private final BadInputOnEveryRouteTest test;

		Request(String method, String path, BadInputOnEveryRouteTest test) {
			this.method = method;
			this.path = path;
			this.test = test;
		}

		Request method(String method) {
			this.method = method;
			return this;
		}

		Request path(String path) {
			this.path = path;
			return this;
		}

		Request query(String query) {
			this.query = (this.query == null) ? query : this.query + "&" + query;
			return this;
		}

		Request header(String name, String value) {
			this.headers.put(name, value);
			return this;
		}

		Request contentType(String type) {
			return header("Content-Type", type);
		}

		Request body(String body) {
			this.body = body;
			return this;
		}

		Request chunked() {
			this.chunked = true;
			return this;
		}

		String target() {
			return this.path + ((this.query != null) ? "?" + this.query : "");
		}

		/** Whether the path is still one the document describes (ids may be bad, the shape is not). */
		boolean documentedPath() {
			return !this.path.contains("//") && !this.path.contains("/./") && !this.path.contains("/../")
					&& !this.path.contains("%2F");
		}

		RawHttp.Answer send(RawHttp raw) {
			StringBuilder head = new StringBuilder();
			this.headers.forEach((name, value) -> {
				if (value != null) {
					head.append(name).append(": ").append(value).append("\r\n");
				}
			});
			byte[] bytes = (this.body != null) ? this.body.getBytes(StandardCharsets.UTF_8) : new byte[0];
			if (this.chunked) {
				head.append("Transfer-Encoding: chunked\r\n");
				StringBuilder chunks = new StringBuilder();
				for (int at = 0; at < bytes.length; at += 8192) {
					int n = Math.min(8192, bytes.length - at);
					chunks.append(Integer.toHexString(n)).append("\r\n").append(new String(bytes, at, n, StandardCharsets.ISO_8859_1))
						.append("\r\n");
				}
				bytes = chunks.append("0\r\n\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
			}
			else {
				head.append("Content-Length: ").append(bytes.length).append("\r\n");
			}
			return raw.send(this.method, target(), head.toString(), bytes);
		}

	}

	/** JSON texts of a body with one member or element replaced by raw JSON text, removed, or repeated. */
	private static final class Json {

		private Json() {
		}

		/**
		 * {@code body} with the value at {@code path} ({@code name}, {@code items/0/productId}) replaced by
		 * {@code raw}, added when absent, or removed when {@code raw} is null.
		 */
		static String with(JsonMapper json, String body, String path, String raw) {
			return render(json, json.readTree(body), path.split("/"), 0, raw, false);
		}

		/** {@code body} with the member at {@code path} written twice. */
		static String twice(JsonMapper json, String body, String path) {
			return render(json, json.readTree(body), path.split("/"), 0, null, true);
		}

		private static String render(JsonMapper json, JsonNode node, String[] path, int depth, String raw, boolean twice) {
			boolean last = depth == path.length - 1;
			String target = (depth < path.length) ? path[depth] : null;
			StringBuilder out = new StringBuilder();
			if (node.isObject()) {
				out.append('{');
				List<String> members = new ArrayList<>();
				boolean[] found = { false };
				node.properties().forEach((entry) -> {
					String name = json.writeValueAsString(entry.getKey()) + ":";
					if (!entry.getKey().equals(target)) {
						members.add(name + json.writeValueAsString(entry.getValue()));
						return;
					}
					found[0] = true;
					if (!last) {
						members.add(name + render(json, entry.getValue(), path, depth + 1, raw, twice));
					}
					else if (twice) {
						members.add(name + json.writeValueAsString(entry.getValue()));
						members.add(name + json.writeValueAsString(entry.getValue()));
					}
					else if (raw != null) {
						members.add(name + raw);
					}
				});
				if (!found[0] && last && raw != null && !twice) {
					members.add(json.writeValueAsString(target) + ":" + raw);
				}
				return out.append(String.join(",", members)).append('}').toString();
			}
			if (node.isArray()) {
				List<String> elements = new ArrayList<>();
				for (int i = 0; i < node.size(); i++) {
					if (!Integer.toString(i).equals(target)) {
						elements.add(json.writeValueAsString(node.get(i)));
					}
					else if (!last) {
						elements.add(render(json, node.get(i), path, depth + 1, raw, twice));
					}
					else if (raw != null) {
						elements.add(raw);
					}
				}
				return "[" + String.join(",", elements) + "]";
			}
			return json.writeValueAsString(node);
		}

	}

}

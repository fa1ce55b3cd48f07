package com.example.flashsale.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Each table belongs to one feature, and only that feature's SQL names it (docs/architecture.md): other
 * features go through its services and queries. Reads every string literal of {@code src/main/java} for
 * {@code FROM/JOIN/INTO/UPDATE <table>}, and every table the migrations create.
 */
class TableOwnershipTest {

	/** The owner of every table. */
	static final Map<String, String> OWNERS = Map.ofEntries(Map.entry("users", "balance"),
			Map.entry("balance_transactions", "balance"), Map.entry("coupons", "coupon"),
			Map.entry("user_coupons", "coupon"), Map.entry("products", "product"), Map.entry("orders", "order"),
			Map.entry("order_items", "order"), Map.entry("payments", "order"), Map.entry("order_refusals", "order"),
			Map.entry("order_events", "outbox"), Map.entry("product_sales_stats", "popular"),
			Map.entry("waiting_rooms", "waitingroom"), Map.entry("database_identity", "support"));

	private static final Path MAIN = Path.of("src/main/java/com/example/flashsale");

	private static final Pattern LITERAL = Pattern.compile("\"((?:[^\"\\\\\\n]|\\\\.)*)\"");

	private static final Pattern TABLE_USE = Pattern.compile("\\b(?:FROM|JOIN|INTO|(?<!FOR )UPDATE)\\s+([a-z_]+)\\b");

	private static final Pattern TABLE_CREATE = Pattern.compile("CREATE TABLE (?:IF NOT EXISTS )?`?([a-z_]+)`?",
			Pattern.CASE_INSENSITIVE);

	@Test
	void everyFeatureNamesOnlyItsOwnTables() throws IOException {
		assertThat(violations(MAIN)).isEmpty();
	}

	@Test
	void everyTableHasAnOwner() throws IOException {
		Set<String> created = new TreeSet<>();
		try (Stream<Path> migrations = Files.list(Path.of("src/main/resources/db/migration"))) {
			for (Path migration : migrations.toList()) {
				Matcher matcher = TABLE_CREATE.matcher(Files.readString(migration));
				while (matcher.find()) {
					created.add(matcher.group(1));
				}
			}
		}
		assertThat(created).isNotEmpty();
		assertThat(OWNERS.keySet()).containsExactlyInAnyOrderElementsOf(created);
	}

	@Test
	void aFeatureReachingIntoAnotherFeaturesTableIsCaught() throws IOException {
		Path tree = Files.createTempDirectory("boundary");
		Path order = Files.createDirectories(tree.resolve("order"));
		Files.writeString(order.resolve("Sneaky.java"),
				"class Sneaky { String sql = \"SELECT p.stock FROM order_items oi JOIN products p ON p.id = oi.product_id\"; }");
		assertThat(violations(tree)).containsExactly("order/Sneaky.java names products (a table of product)");
	}

	/** Every use of a table outside its owner under {@code root} (a tree of feature packages). */
	static List<String> violations(Path root) throws IOException {
		List<String> found = new ArrayList<>();
		try (Stream<Path> files = Files.walk(root)) {
			for (Path file : files.filter((f) -> f.toString().endsWith(".java")).sorted().toList()) {
				Path relative = root.relativize(file);
				String feature = relative.getName(0).toString();
				StringBuilder literals = new StringBuilder();
				Matcher literal = LITERAL.matcher(Files.readString(file));
				while (literal.find()) {
					// a separator no SQL keyword spans: one literal's end never reads as the next one's table
					literals.append(literal.group(1)).append(" | ");
				}
				Matcher use = TABLE_USE.matcher(literals);
				while (use.find()) {
					String table = use.group(1);
					String owner = OWNERS.get(table);
					if (!feature.equals(owner)) {
						found.add(relative.toString().replace('\\', '/') + " names " + table + " (a table of "
								+ ((owner != null) ? owner : "no feature") + ")");
					}
				}
			}
		}
		return found;
	}

}

package com.example.flashsale.order;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;

import com.example.flashsale.order.OrderViews.OrderRequest;
import com.example.flashsale.order.OrderViews.RequestItem;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.support.problem.ProblemException;

/**
 * Checks an order request before anything is read or written (docs/api.md "Orders"): the
 * {@code Idempotency-Key} header and the body, and computes the request's fingerprint, the SHA-256 of its
 * canonical form, which tells a replay of a key from a reuse of it with another body. Pure: no I/O, no
 * Spring; every refusal is a 400 INVALID_REQUEST naming the first problem.
 */
final class OrderRequestValidator {

	/** The longest accepted Idempotency-Key. */
	static final int MAX_KEY_LENGTH = 255;

	private final int maxLines;

	private final int maxQuantity;

	/**
	 * @param maxLines most lines in one order
	 * @param maxQuantity most units of one product in one order
	 */
	OrderRequestValidator(int maxLines, int maxQuantity) {
		this.maxLines = maxLines;
		this.maxQuantity = maxQuantity;
	}

	/**
	 * A checked order request.
	 * @param lines the lines by product id
	 * @param userCouponId the coupon to apply, or null
	 * @param requestHash SHA-256 (hex) of the canonical request: lines sorted by product, and the coupon
	 */
	record ValidOrder(List<Line> lines, Long userCouponId, String requestHash) {
	}

	/**
	 * Checks the {@code Idempotency-Key} header value.
	 * @throws ProblemException 400 INVALID_REQUEST when missing, empty, longer than 255 or not printable ASCII
	 * without spaces (keys compare byte for byte, case-sensitive, in Redis and in the database alike)
	 */
	static String checkKey(String key) {
		if (key == null || key.isEmpty()) {
			throw ProblemException.invalid("The Idempotency-Key header is required.");
		}
		if (key.length() > MAX_KEY_LENGTH) {
			throw ProblemException.invalid("The Idempotency-Key header is longer than " + MAX_KEY_LENGTH + " characters.");
		}
		for (int i = 0; i < key.length(); i++) {
			char c = key.charAt(i);
			if (c < 0x21 || c > 0x7e) {
				throw ProblemException.invalid("The Idempotency-Key header must be printable ASCII without spaces.");
			}
		}
		return key;
	}

	/**
	 * Checks an order body: 1..max-lines lines, positive product ids, quantities 1..max-quantity, each
	 * product at most once (a repeated product is refused, not merged), a positive coupon id if any.
	 * @throws ProblemException 400 INVALID_REQUEST naming the first problem
	 */
	ValidOrder validate(OrderRequest request) {
		List<RequestItem> items = request.items();
		if (items.isEmpty() || items.size() > this.maxLines) {
			throw ProblemException.invalid("An order has 1 to " + this.maxLines + " items, got " + items.size() + ".");
		}
		List<Line> lines = new ArrayList<>(items.size());
		Set<Long> seen = new HashSet<>();
		for (RequestItem item : items) {
			if (item.productId() <= 0) {
				throw ProblemException.invalid("items[].productId must be a positive integer, got " + item.productId() + ".");
			}
			if (item.quantity() < 1 || item.quantity() > this.maxQuantity) {
				throw ProblemException.invalid("items[].quantity must be 1 to " + this.maxQuantity + ", got "
						+ item.quantity() + " for product " + item.productId() + ".");
			}
			if (!seen.add(item.productId())) {
				throw ProblemException.invalid("Product " + item.productId() + " appears in more than one item; "
						+ "order it once with the total quantity.");
			}
			lines.add(new Line(item.productId(), item.quantity()));
		}
		Long coupon = request.userCouponId();
		if (coupon != null && coupon <= 0) {
			throw ProblemException.invalid("userCouponId must be a positive integer, got " + coupon + ".");
		}
		// product id order everywhere (items, row locks, the answer): two orders then take the product rows'
		// locks (the items' foreign-key checks, the stock decrements) in one order and never deadlock
		lines.sort(Comparator.comparingLong(Line::productId));
		StringBuilder canonical = new StringBuilder("v1;");
		lines.forEach((line) -> canonical.append(line.productId()).append(':').append(line.quantity()).append(','));
		canonical.append(";coupon=").append(coupon);
		String hash = HexFormat.of().formatHex(sha256().digest(canonical.toString().getBytes(StandardCharsets.UTF_8)));
		return new ValidOrder(List.copyOf(lines), coupon, hash);
	}

	/**
	 * A SHA-256 digest. The JVM's first lookup reads the security configuration from disk: {@link
	 * OrderWarmUp} does it at startup, so no event-loop thread does.
	 */
	static MessageDigest sha256() {
		try {
			return MessageDigest.getInstance("SHA-256");
		}
		catch (NoSuchAlgorithmException ex) {
			throw new IllegalStateException("SHA-256 is required of every JVM", ex);
		}
	}

}

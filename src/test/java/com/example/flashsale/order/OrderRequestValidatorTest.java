package com.example.flashsale.order;

import java.util.Arrays;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import com.example.flashsale.order.OrderRequestValidator.ValidOrder;
import com.example.flashsale.order.OrderViews.OrderRequest;
import com.example.flashsale.order.OrderViews.RequestItem;
import com.example.flashsale.product.Inventory.Line;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.support.problem.ProblemException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The pure order request checks, without Spring, Redis or a database. */
class OrderRequestValidatorTest {

	private final OrderRequestValidator validator = new OrderRequestValidator(3, 10);

	@Test
	void linesAreSortedByProductAndTheFingerprintIgnoresTheirOrder() {
		ValidOrder a = this.validator.validate(request(7L, items(9, 1, 2, 3)));
		ValidOrder b = this.validator.validate(request(7L, items(2, 3, 9, 1)));
		assertThat(a.lines()).containsExactly(new Line(2, 3), new Line(9, 1));
		assertThat(a.userCouponId()).isEqualTo(7L);
		assertThat(a.requestHash()).hasSize(64).isEqualTo(b.requestHash());
	}

	@Test
	void theFingerprintTellsQuantitiesAndCouponsApart() {
		String base = this.validator.validate(request(null, items(1, 1))).requestHash();
		assertThat(this.validator.validate(request(null, items(1, 2))).requestHash()).isNotEqualTo(base);
		assertThat(this.validator.validate(request(5L, items(1, 1))).requestHash()).isNotEqualTo(base);
	}

	@Test
	void badBodiesAre400() {
		expectInvalid(request(null, List.of()), "1 to 3 items");
		expectInvalid(request(null, items(1, 1, 2, 1, 3, 1, 4, 1)), "1 to 3 items");
		expectInvalid(request(null, items(0, 1)), "productId must be a positive integer");
		expectInvalid(request(null, items(1, 0)), "quantity must be 1 to 10");
		expectInvalid(request(null, items(1, 11)), "quantity must be 1 to 10");
		expectInvalid(request(null, items(1, 1, 1, 2)), "appears in more than one item");
		expectInvalid(request(0L, items(1, 1)), "userCouponId must be a positive integer");
	}

	@ParameterizedTest
	@ValueSource(strings = { "", "has space", "tab\there", "é-accent" })
	void badKeysAre400(String key) {
		assertThatThrownBy(() -> OrderRequestValidator.checkKey(key)).isInstanceOf(ProblemException.class)
			.extracting((ex) -> ((ProblemException) ex).code())
			.isEqualTo(ErrorCode.INVALID_REQUEST);
	}

	@Test
	void keysUpTo255PrintableCharactersAreAccepted() {
		assertThat(OrderRequestValidator.checkKey("a".repeat(255))).hasSize(255);
		assertThatThrownBy(() -> OrderRequestValidator.checkKey("a".repeat(256))).isInstanceOf(ProblemException.class);
		assertThatThrownBy(() -> OrderRequestValidator.checkKey(null)).isInstanceOf(ProblemException.class);
	}

	private void expectInvalid(OrderRequest request, String detail) {
		assertThatThrownBy(() -> this.validator.validate(request)).isInstanceOf(ProblemException.class)
			.hasMessageContaining(detail)
			.extracting((ex) -> ((ProblemException) ex).code())
			.isEqualTo(ErrorCode.INVALID_REQUEST);
	}

	private static OrderRequest request(Long coupon, List<RequestItem> items) {
		return new OrderRequest(items, coupon);
	}

	/** Items from pairs of (productId, quantity). */
	private static List<RequestItem> items(long... pairs) {
		RequestItem[] items = new RequestItem[pairs.length / 2];
		for (int i = 0; i < items.length; i++) {
			items[i] = new RequestItem(pairs[2 * i], (int) pairs[2 * i + 1]);
		}
		return Arrays.asList(items);
	}

}

package com.example.flashsale.product;

import jakarta.validation.constraints.AssertTrue;
import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/**
 * Body of {@code PATCH /api/admin/products/{id}}: the fields to change, absent ones stay; price in KRW,
 * stock the new absolute durable stock.
 */
record ProductPatch(@Size(max = 200) @Pattern(regexp = "(?s).*\\S.*", message = "must not be blank") String name,
		@PositiveOrZero @Max(100_000_000) Long price, @PositiveOrZero @Max(10_000_000) Integer stock,
		ProductStatus status) {

	/** Bean Validation: an empty patch is a 400, not a no-op. */
	@AssertTrue(message = "at least one of name, price, stock, status is required")
	boolean isAnyField() {
		return this.name != null || this.price != null || this.stock != null || this.status != null;
	}

	/** {@code current} with this patch applied. */
	Product applyTo(Product current) {
		return new Product(current.id(), (this.name != null) ? this.name : current.name(),
				(this.price != null) ? this.price : current.price(), (this.stock != null) ? this.stock : current.stock(),
				(this.status != null) ? this.status : current.status());
	}

}

package com.example.flashsale.product;

import jakarta.validation.constraints.Max;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.PositiveOrZero;
import jakarta.validation.constraints.Size;

/** Body of {@code POST /api/admin/products}; price in KRW. */
public record NewProduct(@NotBlank @Size(max = 200) String name, @PositiveOrZero @Max(100_000_000) long price,
		@PositiveOrZero @Max(10_000_000) int stock) {
}

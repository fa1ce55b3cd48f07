package com.example.flashsale.product;

/** Whether a product is for sale (docs/domain.md "Products"). */
public enum ProductStatus {

	/** Listed in the catalogue and orderable. */
	ACTIVE,

	/** Kept for history (orders refer to it) but neither listed nor orderable. */
	INACTIVE

}

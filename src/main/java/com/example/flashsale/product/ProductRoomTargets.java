package com.example.flashsale.product;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;

import com.example.flashsale.waitingroom.RoomTargets;
import com.example.flashsale.waitingroom.TargetType;

/** A waiting room may open in front of a product that exists, whatever its status (docs/api.md "Waiting room"). */
@Component
class ProductRoomTargets implements RoomTargets {

	private final ProductCatalog catalog;

	ProductRoomTargets(ProductCatalog catalog) {
		this.catalog = catalog;
	}

	@Override
	public TargetType type() {
		return TargetType.PRODUCT;
	}

	/** Empty when product {@code id} exists; 404 PRODUCT_NOT_FOUND otherwise. */
	@Override
	public Mono<Void> requireExists(long id) {
		return this.catalog.find(id).then();
	}

}

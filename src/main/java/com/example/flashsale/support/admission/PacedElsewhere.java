package com.example.flashsale.support.admission;

import org.springframework.http.server.reactive.ServerHttpRequest;

/**
 * A feature that paces some requests of an expensive route itself before they arrive (a waiting room's
 * admission token: docs/api.md "Load shedding"). {@link LoadShedding} lets such a request through when the
 * route's cap is reached instead of refusing it 503: it was already let in at the rate the feature allows,
 * and refusing it would only make its holder retry until their short-lived admission expires. Checked
 * from memory alone, before authentication, on shed requests only.
 */
public interface PacedElsewhere {

	/** Whether {@code request} carries this feature's proof that it was paced for its route, valid now. */
	boolean paced(ServerHttpRequest request);

}

package com.example.flashsale.support.security;

import org.junit.jupiter.api.Test;
import org.springdoc.core.fn.builders.operation.Builder;
import org.springdoc.core.utils.Constants;

import com.example.flashsale.support.openapi.RouteTable;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;

/**
 * The local profile's token route is documented like every other (docs/api.md "OpenAPI"): the test profile
 * the suite runs has no such route, so {@code OpenApiDocumentTest} cannot see it; this test walks the
 * router itself and checks its only route carries an OpenAPI operation with an id.
 */
class DevTokenRouterDocTest {

	@Test
	void theTokenRouteCarriesItsOperation() {
		var routes = RouteTable.routes(new DevTokenRouter().devTokenRoutes(mock(DevTokenHandler.class)));
		assertThat(routes).singleElement().satisfies((route) -> {
			assertThat(route.entries()).containsExactly("POST " + DevTokenRouter.PATH);
			Builder operation = (Builder) route.attributes().get(Constants.OPERATION_ATTRIBUTE);
			assertThat(operation).isNotNull();
			assertThat(operation.build().getOperation().operationId()).isEqualTo("mintDevelopmentToken");
			assertThat(operation.build().getOperation().security()).isEmpty();
		});
	}

}

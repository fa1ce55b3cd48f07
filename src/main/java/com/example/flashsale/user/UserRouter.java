package com.example.flashsale.user;

import java.net.URI;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** {@code POST /api/admin/users {name}} -> 201 {@code {id, name, balance}} (SPEC section 3). */
@Configuration(proxyBeanMethods = false)
class UserRouter {

	@Bean
	RouterFunction<ServerResponse> userRoutes(UserService service, Requests requests) {
		return route().POST("/api/admin/users", (request) -> requests.body(request, NewUser.class)
			.flatMap(service::create)
			.flatMap((user) -> ServerResponse.created(URI.create("/api/admin/users/" + user.id())).bodyValue(user)))
			.build();
	}

}

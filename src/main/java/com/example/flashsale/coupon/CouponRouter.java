package com.example.flashsale.coupon;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springframework.web.reactive.function.server.RouterFunctions.route;

/** Routes of the coupon feature (docs/api.md "Coupons"). */
@Configuration(proxyBeanMethods = false)
class CouponRouter {

	@Bean
	RouterFunction<ServerResponse> couponRoutes(CouponHandler handler) {
		return route().path("/api", (api) -> api
			.POST("/coupons/{couponId}/issue", handler::issue)
			.GET("/coupons", handler::available)
			.POST("/admin/coupons", handler::create)
			.GET("/admin/coupons/{couponId}", handler::view))
			.build();
	}

}

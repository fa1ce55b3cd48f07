package com.example.flashsale.coupon;

import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.web.reactive.function.server.RouterFunction;
import org.springframework.web.reactive.function.server.ServerResponse;

import static org.springdoc.webflux.core.fn.SpringdocRouteBuilder.route;

/** Routes of the coupon feature (docs/api.md "Coupons"); each names its OpenAPI description in {@link CouponApiDoc}. */
@Configuration(proxyBeanMethods = false)
class CouponRouter {

	@Bean
	RouterFunction<ServerResponse> couponRoutes(CouponHandler handler) {
		return route()
			.POST("/api/coupons/{couponId}/issue", handler::issue, CouponApiDoc::issue)
			.GET("/api/coupons", handler::available, CouponApiDoc::available)
			.POST("/api/admin/coupons", handler::create, CouponApiDoc::create)
			.POST("/api/admin/coupons/reconcile", handler::reconcile, CouponApiDoc::reconcile)
			.GET("/api/admin/coupons/{couponId}", handler::view, CouponApiDoc::view)
			.build();
	}

}

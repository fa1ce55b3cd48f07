package com.example.flashsale.coupon;

import java.net.URI;
import java.util.List;

import reactor.core.publisher.Mono;

import org.springframework.stereotype.Component;
import org.springframework.web.reactive.function.server.ServerRequest;
import org.springframework.web.reactive.function.server.ServerResponse;

import com.example.flashsale.support.web.Requests;
import com.example.flashsale.waitingroom.AdmissionGate;
import com.example.flashsale.waitingroom.TargetType;

/** HTTP mapping of the coupon feature; parsing and validation here, decisions in {@link CouponService}. */
@Component
class CouponHandler {

	private final CouponService service;

	private final Requests requests;

	private final CouponReconciler reconciler;

	private final AdmissionGate admissions;

	CouponHandler(CouponService service, Requests requests, CouponReconciler reconciler, AdmissionGate admissions) {
		this.service = service;
		this.requests = requests;
		this.reconciler = reconciler;
		this.admissions = admissions;
	}

	/**
	 * {@code POST /api/coupons/{couponId}/issue} -> 201 {@code {userCouponId, couponId, issuedAt}}. An event
	 * behind an open waiting room needs the {@code Admission-Token} header ({@link AdmissionGate}).
	 */
	Mono<ServerResponse> issue(ServerRequest request) {
		return this.requests.pathId(request, "couponId")
			.zipWith(this.requests.userId(request))
			.flatMap((args) -> this.admissions
				.admit(args.getT2(), TargetType.COUPON, List.of(args.getT1()), request.headers().firstHeader(AdmissionGate.HEADER),
						"coupon-issue")
				.then(Mono.defer(() -> this.service.issue(args.getT1(), args.getT2()))))
			.flatMap((issued) -> ServerResponse.created(URI.create("/api/coupons")).bodyValue(issued));
	}

	/** {@code GET /api/coupons} -> 200 {@code {coupons:[...]}}, the caller's usable coupons. */
	Mono<ServerResponse> available(ServerRequest request) {
		return this.requests.userId(request)
			.flatMap((userId) -> this.service.availableCoupons(userId).collectList())
			.flatMap((coupons) -> ServerResponse.ok().bodyValue(new UserCoupons(coupons)));
	}

	/** {@code POST /api/admin/coupons} -> 201 with the operators' view and its {@code Location}. */
	Mono<ServerResponse> create(ServerRequest request) {
		return this.requests.body(request, NewCoupon.class)
			.flatMap(this.service::create)
			.flatMap((created) -> ServerResponse.created(URI.create("/api/admin/coupons/" + created.id()))
				.bodyValue(created));
	}

	/** {@code GET /api/admin/coupons/{couponId}} -> 200 with the operators' view. */
	Mono<ServerResponse> view(ServerRequest request) {
		return this.requests.pathId(request, "couponId")
			.flatMap(this.service::view)
			.flatMap((view) -> ServerResponse.ok().bodyValue(view));
	}

	/**
	 * {@code POST /api/admin/coupons/reconcile} -> 200 {@code {checked, repairs:[{couponId, kind, count, redis,
	 * mysql}]}}: compares every event's Redis state with MySQL and repairs the drift now.
	 */
	Mono<ServerResponse> reconcile(ServerRequest request) {
		return this.reconciler.reconcile().flatMap((report) -> ServerResponse.ok().bodyValue(report));
	}

	/** Body of {@code GET /api/coupons}. */
	record UserCoupons(List<UserCouponView> coupons) {
	}

}

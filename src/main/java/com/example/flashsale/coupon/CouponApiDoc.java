package com.example.flashsale.coupon;

import io.swagger.v3.oas.annotations.enums.ParameterIn;
import org.springdoc.core.fn.builders.operation.Builder;

import com.example.flashsale.support.openapi.ApiDocs;
import com.example.flashsale.support.problem.ErrorCode;
import com.example.flashsale.waitingroom.AdmissionGate;

import static org.springdoc.core.fn.builders.parameter.Builder.parameterBuilder;
import static org.springdoc.core.fn.builders.schema.Builder.schemaBuilder;

/** The OpenAPI description of the coupon routes (docs/api.md "Coupons" and "Admin"), one method per route. */
final class CouponApiDoc {

	private static final String TAG = "Coupons";

	private CouponApiDoc() {
	}

	static void issue(Builder operation) {
		operation.operationId("issueCoupon").tag(TAG).summary("Claim a coupon of a first-come event")
			.description("No body. Answered 201 only once the user coupon is committed to MySQL; 503 after the "
					+ "claim was decided means it is committed later (a retry then answers 409). "
					+ "See docs/api.md \"Coupons\".")
			.parameter(ApiDocs.pathId("couponId", "the coupon event"))
			.parameter(parameterBuilder().in(ParameterIn.HEADER)
				.name(AdmissionGate.HEADER)
				.description("the admission token of the event's open waiting room, if it has one "
						+ "(docs/api.md \"Waiting room\")")
				.required(false)
				.schema(schemaBuilder().type("string").maxLength(200)))
			.response(ApiDocs.created("the caller's new coupon", IssuedCoupon.class, "/api/coupons"));
		ApiDocs.caller(operation, ErrorCode.COUPON_NOT_ISSUABLE, ErrorCode.COUPON_NOT_FOUND,
				ErrorCode.COUPON_ALREADY_ISSUED, ErrorCode.COUPON_SOLD_OUT, ErrorCode.ADMISSION_REQUIRED,
				ErrorCode.INVALID_ADMISSION_TOKEN);
	}

	static void available(Builder operation) {
		operation.operationId("listCoupons").tag(TAG).summary("The caller's usable coupons, newest first")
			.response(ApiDocs.ok(200, "AVAILABLE and not expired", CouponHandler.UserCoupons.class));
		ApiDocs.caller(operation);
	}

	static void create(Builder operation) {
		operation.operationId("createCouponEvent").tag("Admin").summary("Open a first-come coupon event")
			.description("endsAt after startsAt, both between 2000-01-01 and 9000-01-01.")
			.requestBody(ApiDocs.body(NewCoupon.class))
			.response(ApiDocs.created("the operators' view of the event", CouponAdminView.class, "/api/admin/coupons/{id}"));
		ApiDocs.admin(operation, ErrorCode.DUPLICATE_COUPON_CODE);
	}

	static void reconcile(Builder operation) {
		operation.operationId("reconcileCoupons").tag("Admin")
			.summary("Compare every coupon event's Redis state with MySQL and repair the drift now")
			.description("The scheduled reconciler's run, on demand. Each repair names the event, its kind "
					+ "(missing_holder, stray_holder, sold_out_flag), how many, and the remaining quantity in Redis "
					+ "before it (redis) against the one MySQL implies (mysql). See docs/redis.md \"Coupon reconciler\".")
			.response(ApiDocs.ok(200, "what was checked and repaired", CouponReconciler.CouponReconciliation.class));
		ApiDocs.admin(operation);
	}

	static void view(Builder operation) {
		operation.operationId("getCouponEvent").tag("Admin").summary("The operators' view of a coupon event")
			.description("issuedCount as MySQL has it, remainingQuantity as Redis has it.")
			.parameter(ApiDocs.pathId("couponId", "the coupon event"))
			.response(ApiDocs.ok(200, "the event", CouponAdminView.class));
		ApiDocs.admin(operation, ErrorCode.COUPON_NOT_FOUND);
	}

}

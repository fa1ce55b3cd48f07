/**
 * First-come coupon events (docs/api.md "Coupons", docs/flows.md "First-come coupon issue"): admins open an event with a fixed
 * quantity and an issue window; users claim one each; exactly the advertised number are issued.
 *
 * <p>Durability model. The decision is one Lua script in Redis ({@code coupon-issue.lua}): window,
 * duplicate, sold out, and on a win it also appends the issue to the coupon's Redis stream
 * {@code coupon:{id}:log} in the same atomic step. The request then hands the issue to the
 * {@link com.example.flashsale.coupon.IssueWriter}, which group-commits the pending issues of each event
 * in one MySQL transaction ({@code INSERT IGNORE} on the unique (user, coupon) key plus
 * {@code issued_count}) and only then answers 201, so a 201 is in MySQL before the client sees it
 * and survives {@code kill -9} of the service and a restart of a non-persistent Redis. MySQL decides: a
 * commit inserts at most {@code total_quantity - issued_count} users and answers the others 410, so
 * whatever Redis lost, nothing is issued beyond the total. After the commit the stream entries are
 * deleted. If the process dies (or the database fails) between the script and the commit, the entries
 * stay in the stream and {@link com.example.flashsale.coupon.IssueLogRecovery} commits them later; the
 * issue's token ({@code issue_ref}) makes every replay harmless, so each issue reaches MySQL at most
 * once. If Redis loses its data, the coupon's state is rebuilt from MySQL before any further decision,
 * and {@link com.example.flashsale.coupon.CouponReconciler} repairs what a partial loss left behind
 * (docs/redis.md "Coupon state").
 *
 * <p>Owns the tables {@code coupons} and {@code user_coupons}. Orders use a coupon through
 * {@link com.example.flashsale.coupon.CouponRedemption}.
 */
@ApplicationModule(allowedDependencies = { "waitingroom", "support :: *" })
package com.example.flashsale.coupon;

import org.springframework.modulith.ApplicationModule;

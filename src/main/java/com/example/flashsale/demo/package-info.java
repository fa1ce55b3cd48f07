/**
 * Demo data for the {@code local} profile, so a newcomer can call every endpoint right after starting;
 * loaded through the features' public services only. Owns no table.
 */
@ApplicationModule(allowedDependencies = { "balance", "coupon", "product" })
package com.example.flashsale.demo;

import org.springframework.modulith.ApplicationModule;

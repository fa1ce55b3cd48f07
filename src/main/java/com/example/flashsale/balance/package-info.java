/**
 * Accounts, their balance and its ledger (docs/api.md "Balance", docs/flows.md "Charge"): admins create
 * accounts; a user reads the balance, charges it under the user's Redis lock ({@link
 * com.example.flashsale.balance.UserLock}, shared with orders) and pages through the ledger; orders pay
 * and recovery refunds through {@link com.example.flashsale.balance.BalancePayments}.
 *
 * <p>Owns the tables {@code users} and {@code balance_transactions}.
 */
@ApplicationModule(allowedDependencies = { "support :: *" })
package com.example.flashsale.balance;

import org.springframework.modulith.ApplicationModule;

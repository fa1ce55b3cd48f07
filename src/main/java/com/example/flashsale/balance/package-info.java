/**
 * A user's balance and its ledger (SPEC sections 2-4): read, charge under the user's Redis lock
 * ({@link com.example.flashsale.user.UserLock}), and page through the ledger.
 */
package com.example.flashsale.balance;

/**
 * Users as balance accounts (SPEC section 2). Identity itself is the JWT subject; this feature holds
 * the account that balance, ledger and orders refer to. Admins create accounts here.
 */
package com.example.flashsale.user;

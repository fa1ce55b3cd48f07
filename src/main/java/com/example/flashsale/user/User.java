package com.example.flashsale.user;

/** A balance account (table {@code users}); balance in KRW, never negative. */
record User(long id, String name, long balance) {
}

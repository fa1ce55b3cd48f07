package com.example.flashsale.balance;

/** A balance account (table {@code users}); balance in KRW, never negative. */
public record User(long id, String name, long balance) {
}

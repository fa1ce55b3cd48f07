package com.example.flashsale.balance;

/** The Redis keys of the balance feature (docs/redis.md). */
public final class BalanceKeys {

	private BalanceKeys() {
	}

	/** The lock serialising {@code userId}'s money movements; the id is the key's hash tag. */
	public static String userLock(long userId) {
		return "lock:user:{" + userId + "}";
	}

}

package com.example.flashsale.popular;

/** The Redis keys of the popular-products feature (docs/redis.md "Caches"). */
final class PopularKeys {

	/** The cache's name and the prefix of its keys. */
	static final String CACHE = "products:popular";

	private PopularKeys() {
	}

	/** The cached ranking of one query: {@code products:popular:<days>:<limit>}. */
	static String ranking(int days, int limit) {
		return CACHE + ":" + days + ":" + limit;
	}

}

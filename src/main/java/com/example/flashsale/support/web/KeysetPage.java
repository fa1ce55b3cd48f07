package com.example.flashsale.support.web;

import java.util.List;
import java.util.function.ToLongFunction;

/**
 * One page of a list paged by keyset on a descending id (docs/api.md "Errors" and the paged routes):
 * the client passes the previous page's {@code nextCursor} as {@code cursor} and gets the rows with
 * smaller ids, newest first. Every paged route reads its {@link Request} with
 * {@link Requests#page} and builds its page with {@link #of}, so they all behave alike.
 *
 * @param items the rows of this page, at most the requested size
 * @param nextCursor the cursor of the next page; null on the last page
 * @param <T> the row type
 */
public record KeysetPage<T>(List<T> items, Long nextCursor) {

	/**
	 * The page of {@code rows}, which were read with {@link Request#fetchSize()} (one more than the page
	 * size, to know whether a next page exists).
	 * @param id the keyset id of a row
	 */
	public static <T> KeysetPage<T> of(List<T> rows, Request request, ToLongFunction<T> id) {
		boolean more = rows.size() > request.size();
		List<T> page = more ? List.copyOf(rows.subList(0, request.size())) : rows;
		return new KeysetPage<>(page, more ? id.applyAsLong(page.get(page.size() - 1)) : null);
	}

	/**
	 * What a client asked for.
	 * @param before the rows wanted have ids below this ({@link Long#MAX_VALUE} for the first page)
	 * @param size rows per page, 1..the route's maximum
	 */
	public record Request(long before, int size) {

		/** Whether this asks for the first page. */
		public boolean isFirst() {
			return this.before == Long.MAX_VALUE;
		}

		/** How many rows to read: one more than the page, to see whether another page follows. */
		public int fetchSize() {
			return this.size + 1;
		}

	}

}

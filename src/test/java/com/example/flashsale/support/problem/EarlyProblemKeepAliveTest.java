package com.example.flashsale.support.problem;

import org.junit.jupiter.api.Test;

import org.springframework.http.HttpStatus;

import com.example.flashsale.IntegrationTest;
import com.example.flashsale.balance.BalanceFixtures;

/**
 * A problem answered before the request was read to its end (here a bad query parameter, found before
 * anything else) must leave the keep-alive connection able to serve the next request. Without
 * {@link ProblemWriter} draining the request first, about one such request in twenty left the next one
 * on the connection unanswered.
 */
class EarlyProblemKeepAliveTest extends IntegrationTest {

	@Test
	void requestsAfterEarly400sOnReusedConnectionsAreAnswered() {
		String token = userToken(BalanceFixtures.newAccount(this.client, adminToken()));
		for (int i = 0; i < 150; i++) {
			expectProblem(this.client.get().uri("/api/balance/transactions?cursor=abc").headers((h) -> h.setBearerAuth(token))
				.exchange(), HttpStatus.BAD_REQUEST, "INVALID_REQUEST");
			BalanceFixtures.newAccount(this.client, adminToken());
		}
	}

}

package com.example.flashsale.load;

import static io.gatling.javaapi.core.CoreDsl.*;

import io.gatling.javaapi.core.*;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;

/**
 * Browse and charge: {@code vus} virtual users, injected by the chosen profile (default spike: all
 * arriving within {@code duration} seconds; see {@link Injection}), each on one of {@code accounts}
 * accounts picked at random (so several share an account and sometimes collide on its charge
 * lock). Each lists the products, reads one, charges 1,000, 5,000 or 10,000 and reads its balance.
 *
 * <p>Pass/fail:
 *
 * <ul>
 *   <li>Gatling assertions: no failed request (a charge may only answer 200 or 409
 *       CHARGE_IN_PROGRESS; the reads must answer 200) and global p99 &lt; {@code p99Ms}.
 *   <li>a "Verify balances" scenario chained after the load ({@code andThen}), one virtual user
 *       per account: walks the account's ledger page by page (every row a COMPLETED CHARGE), then
 *       its final balance request fails unless the balance equals both the sum of the account's
 *       charges answered 200 and the ledger sum. A failed verification is a failed request, so the
 *       first assertion fails, Gatling exits non-zero and {@code mvn gatling:test} fails, with the
 *       reason in the HTML report (Errors table).
 *   <li>after() prints the one-line {@code BROWSE AND CHARGE: ...} summary.
 * </ul>
 *
 * <pre>
 * mvn -f load-tests/pom.xml gatling:test \
 *     -Dgatling.simulationClass=com.example.flashsale.load.BrowseAndChargeSimulation \
 *     [-Dprofile=smoke|spike|ramp-hold|soak] [-Dvus=2000 -Dduration=20] [-Drate=.. -DrampSeconds=..]
 *     [-Daccounts=200 -Dproducts=20 -Dp99Ms=2000]
 * </pre>
 */
public class BrowseAndChargeSimulation extends Simulation {

  private static final long[] AMOUNTS = Config.BrowseAndCharge.AMOUNTS;

  private static final String MORE_PAGES = "morePages";

  /** Set in before(); read by every virtual user. */
  private static volatile List<Long> accountIds = List.of();

  private static volatile List<Long> productIds = List.of();

  /** Verification progress: next account to verify, accounts verified, accounts found right. */
  private static final AtomicInteger nextToVerify = new AtomicInteger();

  private static final AtomicInteger verified = new AtomicInteger();

  private static final AtomicInteger balancesOk = new AtomicInteger();

  private final ScenarioBuilder browseAndCharge =
      scenario("Browse and charge")
          .exec(
              session -> {
                ThreadLocalRandom random = ThreadLocalRandom.current();
                long accountId = accountIds.get(random.nextInt(accountIds.size()));
                return session
                    .set(Endpoints.ACCOUNT_ID, accountId)
                    .set(Endpoints.TOKEN, Tokens.user(accountId))
                    .set(Endpoints.PRODUCT_ID, productIds.get(random.nextInt(productIds.size())))
                    .set(Endpoints.AMOUNT, AMOUNTS[random.nextInt(AMOUNTS.length)]);
              })
          .exec(Endpoints.listProducts, Endpoints.getProduct)
          .exec(Overload.retrying(Endpoints.charge))
          .exec(Endpoints.balance);

  /**
   * One virtual user per account, after the load: walks the ledger (stopping at the last page or
   * at the first failure), then checks the balance against the 200 answers and the ledger sum.
   */
  private final ScenarioBuilder verify =
      scenario("Verify balances")
          .exec(
              session -> {
                long accountId = accountIds.get(nextToVerify.getAndIncrement());
                return session
                    .set(Endpoints.ACCOUNT_ID, accountId)
                    .set(Endpoints.TOKEN, Tokens.user(accountId))
                    .set(Endpoints.LEDGER_SUM, 0L)
                    .set(MORE_PAGES, true);
              })
          .asLongAs(session -> session.getBoolean(MORE_PAGES))
          .on(exec(Endpoints.ledgerPage).exec(BrowseAndChargeSimulation::nextLedgerPage))
          .exec(Endpoints.verifyBalance)
          .exec(
              session -> {
                verified.incrementAndGet();
                if (!session.isFailed()) {
                  balancesOk.incrementAndGet();
                }
                return session;
              });

  /** Adds the page just read to the ledger sum and moves on; stops on failure or at the end. */
  private static Session nextLedgerPage(Session session) {
    if (session.isFailed()) {
      return session.set(MORE_PAGES, false);
    }
    Session next =
        session.set(
            Endpoints.LEDGER_SUM,
            session.getLong(Endpoints.LEDGER_SUM) + session.getLong(Endpoints.PAGE_SUM));
    return session.contains(Endpoints.NEXT_CURSOR)
        ? next.set(Endpoints.CURSOR, session.getLong(Endpoints.NEXT_CURSOR))
            .remove(Endpoints.NEXT_CURSOR)
        : next.set(MORE_PAGES, false);
  }

  {
    setUp(
            browseAndCharge
                .injectOpen(Config.BrowseAndCharge.injection.steps())
                .andThen(verify.injectOpen(atOnceUsers(Config.BrowseAndCharge.accounts))))
        .protocols(Endpoints.protocol("browse-and-charge"))
        .assertions(
            global().failedRequests().count().is(0L),
            global().responseTime().percentile(99.0).lt(Config.p99Ms));
  }

  /** Creates the accounts (balance 0) and the products through the admin API. */
  @Override
  public void before() {
    System.out.println("BROWSE AND CHARGE config: " + Config.BrowseAndCharge.describe());
    String run = Endpoints.Admin.randomSuffix();
    accountIds =
        IntStream.range(0, Config.BrowseAndCharge.accounts)
            .mapToObj(i -> Endpoints.Admin.createUser("gatling-" + run + "-" + i))
            .toList();
    productIds =
        IntStream.range(0, Config.BrowseAndCharge.products)
            .mapToObj(
                i ->
                    Endpoints.Admin.createProduct(
                        "Gatling " + run + "-" + i, 1_000L * (i + 1), 1_000))
            .toList();
    System.out.println(
        "BROWSE AND CHARGE: created account ids "
            + accountIds.get(0)
            + ".."
            + accountIds.get(accountIds.size() - 1)
            + ", product ids "
            + productIds.get(0)
            + ".."
            + productIds.get(productIds.size() - 1));
  }

  /**
   * Prints the one-line summary. The verdict on the balances is the "Verify balances" requests
   * (their failed checks fail the {@code failedRequests == 0} assertion); after() only throws (a
   * crashed run: non-zero exit, no HTML report) if that verification did not reach every account.
   */
  @Override
  public void after() {
    int accounts = Config.BrowseAndCharge.accounts;
    System.out.println(
        "BROWSE AND CHARGE: profile="
            + Config.profile.label
            + " vus="
            + Config.BrowseAndCharge.vus
            + " accounts="
            + accounts
            + " charges200="
            + ChargeOutcomes.charged200()
            + " charges409="
            + ChargeOutcomes.inProgress409()
            + " shedAndRetried="
            + Overload.deferred()
            + " other="
            + ChargeOutcomes.other()
            + " balances="
            + (balancesOk.get() == accounts ? "OK" : "WRONG"));
    if (verified.get() < accounts) {
      throw new IllegalStateException(
          "BROWSE AND CHARGE FAILED: 'Verify balances' ran to its end for "
              + verified.get()
              + " of "
              + accounts
              + " accounts");
    }
  }
}

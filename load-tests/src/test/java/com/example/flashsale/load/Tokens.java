package com.example.flashsale.load;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Instant;
import java.util.Base64;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Mints HS256 JWTs the service accepts, with nothing but the JDK. */
public final class Tokens {

  private Tokens() {}

  private static final Base64.Encoder B64URL = Base64.getUrlEncoder().withoutPadding();

  private static final String HEADER =
      B64URL.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));

  /** Tokens live for two hours: longer than any run, short enough to be harmless. */
  private static final long TTL_SECONDS = 2 * 3600;

  /** Mac is not thread-safe; one per Gatling/Netty thread. */
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> newMac(Config.secret));

  public static String user(long userId) {
    return mint(userId, "[]");
  }

  public static String admin(long userId) {
    return mint(userId, "[\"ADMIN\"]");
  }

  public static String bearer(String token) {
    return "Bearer " + token;
  }

  private static String mint(long userId, String rolesJson) {
    if (userId <= 0) {
      throw new IllegalArgumentException("user ids must be positive: " + userId);
    }
    long now = Instant.now().getEpochSecond();
    String claims =
        "{\"sub\":\""
            + userId
            + "\",\"exp\":"
            + (now + TTL_SECONDS)
            + ",\"roles\":"
            + rolesJson
            + "}";
    String signingInput =
        HEADER + "." + B64URL.encodeToString(claims.getBytes(StandardCharsets.UTF_8));
    byte[] signature = MAC.get().doFinal(signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + B64URL.encodeToString(signature);
  }

  private static Mac newMac(String secret) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot initialise HmacSHA256", e);
    }
  }
}

package com.example.flashsale.waitingroom;

import java.nio.charset.StandardCharsets;
import java.security.InvalidKeyException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

import org.apache.commons.logging.LogFactory;

import org.springframework.stereotype.Component;

import com.example.flashsale.support.security.JwtProperties;

/**
 * Admission tokens (docs/api.md "Waiting room", ADR 0025): {@code <userId>.<roomId>.<ticketId>.<expiresAt
 * epoch ms>.<signature>}, the signature an HMAC-SHA256 (base64url) of the rest under a key derived from the
 * JWT secret for this purpose alone (so no other token of the service passes for one), else from {@code
 * app.waiting-room.token-secret}. Bound to user and room; its id ({@code jti}) is the ticket, so it is spent
 * once ({@link AdmissionGate}). Verified without a Redis or database call.
 */
@Component
class AdmissionTokens {

	private static final Pattern SHAPE = Pattern.compile("([1-9]\\d{0,18})\\.([1-9]\\d{0,18})\\.([1-9]\\d{0,18})\\.([1-9]\\d{0,18})\\.([A-Za-z0-9_-]{43})");

	private final byte[] key;

	private final ThreadLocal<Mac> macs;

	AdmissionTokens(JwtProperties jwt, WaitingRoomProperties properties) {
		this.key = derivedKey(secretOf(jwt, properties));
		this.macs = ThreadLocal.withInitial(this::newMac);
	}

	/** What a valid token says. */
	record Claims(long userId, long roomId, long ticketId, Instant expiresAt) {
	}

	/** The token admitting {@code userId}'s ticket {@code ticketId} of {@code roomId} until {@code expiresAt}. */
	String sign(long userId, long roomId, long ticketId, Instant expiresAt) {
		String body = userId + "." + roomId + "." + ticketId + "." + expiresAt.toEpochMilli();
		return body + "." + signature(body);
	}

	/** The token's claims when its signature is right (expiry not checked here); null for anything else. */
	Claims verify(String token) {
		if (token == null || token.length() > 200) {
			return null;
		}
		Matcher parts = SHAPE.matcher(token);
		if (!parts.matches()) {
			return null;
		}
		String body = token.substring(0, parts.start(5) - 1);
		byte[] expected = signature(body).getBytes(StandardCharsets.US_ASCII);
		if (!MessageDigest.isEqual(expected, parts.group(5).getBytes(StandardCharsets.US_ASCII))) {
			return null;
		}
		try {
			return new Claims(Long.parseLong(parts.group(1)), Long.parseLong(parts.group(2)), Long.parseLong(parts.group(3)),
					Instant.ofEpochMilli(Long.parseLong(parts.group(4))));
		}
		catch (NumberFormatException | java.time.DateTimeException ex) {
			return null;
		}
	}

	private String signature(String body) {
		return Base64.getUrlEncoder().withoutPadding().encodeToString(this.macs.get().doFinal(body.getBytes(StandardCharsets.US_ASCII)));
	}

	private Mac newMac() {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(this.key, "HmacSHA256"));
			return mac;
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is required of every JVM", ex);
		}
	}

	private static byte[] secretOf(JwtProperties jwt, WaitingRoomProperties properties) {
		if (jwt.hasSecret()) {
			return jwt.secretBytes();
		}
		if (properties.tokenSecret() != null && !properties.tokenSecret().isBlank()) {
			return properties.tokenSecret().getBytes(StandardCharsets.UTF_8);
		}
		LogFactory.getLog(AdmissionTokens.class).warn("Neither app.security.jwt.secret nor app.waiting-room.token-secret "
				+ "is set: admission tokens are signed with a random key and admit on this instance only");
		byte[] random = new byte[32];
		new SecureRandom().nextBytes(random);
		return random;
	}

	/** HMAC-SHA256(secret, "admission-token"): a key of its own. */
	private static byte[] derivedKey(byte[] secret) {
		try {
			Mac mac = Mac.getInstance("HmacSHA256");
			mac.init(new SecretKeySpec(secret, "HmacSHA256"));
			return mac.doFinal("admission-token".getBytes(StandardCharsets.UTF_8));
		}
		catch (NoSuchAlgorithmException | InvalidKeyException ex) {
			throw new IllegalStateException("HmacSHA256 is required of every JVM", ex);
		}
	}

}

package com.example.flashsale.support.security;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Date;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;

/** Tokens the service must refuse, built by hand so each breaks exactly one rule. */
public final class ForgedTokens {

	private ForgedTokens() {
	}

	/**
	 * An HS256 token signed with {@code secret}.
	 * @param subject the {@code sub} claim, or null for none
	 * @param expiresAt the {@code exp} claim, or null for none
	 */
	public static String sign(String secret, String subject, Instant expiresAt) {
		JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder().subject(subject).issueTime(new Date());
		if (expiresAt != null) {
			claims.expirationTime(Date.from(expiresAt));
		}
		return sign(secret, claims.build());
	}

	/** An HS256 token of {@code claims} signed with {@code secret}. */
	public static String sign(String secret, JWTClaimsSet claims) {
		SignedJWT jwt = new SignedJWT(new JWSHeader(JWSAlgorithm.HS256), claims);
		try {
			jwt.sign(new MACSigner(secret.getBytes(StandardCharsets.UTF_8)));
		}
		catch (JOSEException ex) {
			throw new IllegalStateException(ex);
		}
		return jwt.serialize();
	}

}

package dev.portcullis.monitoring;

import dev.portcullis.policy.PasswordHash;
import dev.portcullis.router.TokenBucket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * Checks HTTP basic authentication (RFC 7617) against one user and a stored {@link PasswordHash}.
 *
 * <p>The user name is compared in constant time (as SHA-256 digests, so its length does not show either); the
 * password goes through the slow hash. A header that passed is remembered as its SHA-256 digest, so a scraper
 * that sends the same header every 15 s pays the slow hash once, not on every scrape. Failed checks are limited
 * to {@value #FAILURES_PER_SECOND} a second (bursts of twice that): past it, a request is refused before any
 * hashing, so guessing cannot take the CPU. (Every check that hashes takes a token, successes too: they happen
 * once per scraper.)
 *
 * <p>Threading: safe from any thread.
 */
final class BasicAuthCheck {

    static final double FAILURES_PER_SECOND = 5;

    /** How a request fared. */
    enum Result { OK, REFUSED, TOO_MANY_FAILURES }

    private final byte[] userDigest;
    private final PasswordHash hash;
    private final TokenBucket failures = new TokenBucket(FAILURES_PER_SECOND, (int) (2 * FAILURES_PER_SECOND));
    /** The digest of the last header that passed; null until one did. */
    private volatile byte[] passed;

    BasicAuthCheck(String user, PasswordHash hash) {
        this.userDigest = sha256(user.getBytes(StandardCharsets.UTF_8));
        this.hash = hash;
    }

    Result check(String authorization) {
        if (authorization == null) {
            return Result.REFUSED; // a scraper's first try without credentials is no guess: not rate-limited
        }
        byte[] headerDigest = sha256(authorization.getBytes(StandardCharsets.UTF_8));
        byte[] ok = passed;
        if (ok != null && MessageDigest.isEqual(ok, headerDigest)) {
            return Result.OK;
        }
        if (!failures.tryTake(System.nanoTime())) {
            return Result.TOO_MANY_FAILURES;
        }
        if (verify(authorization)) {
            passed = headerDigest;
            return Result.OK;
        }
        return Result.REFUSED;
    }

    private boolean verify(String authorization) {
        if (!authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        byte[] decoded;
        try {
            decoded = Base64.getDecoder().decode(authorization.substring(6).strip());
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = -1;
        for (int i = 0; i < decoded.length; i++) {
            if (decoded[i] == ':') {
                colon = i;
                break;
            }
        }
        if (colon < 0) {
            return false;
        }
        byte[] user = java.util.Arrays.copyOfRange(decoded, 0, colon);
        byte[] password = java.util.Arrays.copyOfRange(decoded, colon + 1, decoded.length);
        // Both checks always run, so the time taken does not tell a wrong user from a wrong password.
        boolean userOk = MessageDigest.isEqual(userDigest, sha256(user));
        java.nio.CharBuffer chars = java.nio.charset.StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(password));
        char[] passwordChars = new char[chars.remaining()];
        chars.get(passwordChars);
        boolean passwordOk = hash.matches(passwordChars);
        java.util.Arrays.fill(passwordChars, '\0');
        java.util.Arrays.fill(decoded, (byte) 0);
        java.util.Arrays.fill(password, (byte) 0);
        return userOk & passwordOk;
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }
}

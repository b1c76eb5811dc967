package dev.portcullis.monitoring;

import java.nio.CharBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * A stored password hash: PBKDF2 with HMAC-SHA-256 (RFC 8018), written {@code pbkdf2-sha256$ITERATIONS$SALT$HASH}
 * with salt and hash in base64. Only the hash is ever stored; checking a password derives the same key again and
 * compares in constant time.
 *
 * <pre>{@code
 * String stored = PasswordHash.create("correct horse".toCharArray()).toString();   // for appliance.yaml
 * boolean ok = PasswordHash.parse(stored).matches(candidate);
 * }</pre>
 *
 * <p>{@value #ITERATIONS} iterations by default (OWASP's figure for PBKDF2-HMAC-SHA256, 2023), about a quarter of
 * a second on one core here: the cost falls on whoever guesses. Fewer than {@value #MIN_ITERATIONS} are refused.
 */
public final class PasswordHash {

    public static final String SCHEME = "pbkdf2-sha256";
    public static final int ITERATIONS = 600_000;
    static final int MIN_ITERATIONS = 10_000;
    private static final int SALT_BYTES = 16;
    private static final int HASH_BYTES = 32;

    private final int iterations;
    private final byte[] salt;
    private final byte[] hash;

    private PasswordHash(int iterations, byte[] salt, byte[] hash) {
        this.iterations = iterations;
        this.salt = salt;
        this.hash = hash;
    }

    /** Hashes {@code password} with a fresh random salt. */
    public static PasswordHash create(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        new SecureRandom().nextBytes(salt);
        return new PasswordHash(ITERATIONS, salt, derive(password, salt, ITERATIONS, HASH_BYTES));
    }

    /**
     * Reads a stored hash.
     *
     * @throws IllegalArgumentException naming what is wrong with it
     */
    public static PasswordHash parse(String stored) {
        String[] p = stored.split("\\$", -1);
        if (p.length != 4 || !p[0].equals(SCHEME)) {
            throw new IllegalArgumentException("password hash is not of the form " + SCHEME
                    + "$ITERATIONS$SALT$HASH");
        }
        int iterations;
        try {
            iterations = Integer.parseInt(p[1]);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("password hash iterations '" + p[1] + "' is not a number", e);
        }
        if (iterations < MIN_ITERATIONS) {
            throw new IllegalArgumentException("password hash has " + iterations + " iterations, fewer than "
                    + MIN_ITERATIONS);
        }
        byte[] salt;
        byte[] hash;
        try {
            salt = Base64.getDecoder().decode(p[2]);
            hash = Base64.getDecoder().decode(p[3]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("password hash salt or hash is not base64: " + e.getMessage(), e);
        }
        if (salt.length < 8 || hash.length < 16) {
            throw new IllegalArgumentException("password hash has a salt of " + salt.length + " bytes and a hash of "
                    + hash.length + " bytes; at least 8 and 16 are needed");
        }
        return new PasswordHash(iterations, salt, hash);
    }

    /** Whether {@code password} is the one hashed; takes the same time whatever the answer. */
    public boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations, hash.length));
    }

    /** Whether the UTF-8 bytes {@code password} are the password hashed. */
    boolean matches(byte[] password) {
        CharBuffer chars = StandardCharsets.UTF_8.decode(java.nio.ByteBuffer.wrap(password));
        char[] c = new char[chars.remaining()];
        chars.get(c);
        try {
            return matches(c);
        } finally {
            Arrays.fill(c, '\0');
        }
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("PBKDF2WithHmacSHA256 is part of every JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    /** The stored form, {@code pbkdf2-sha256$ITERATIONS$SALT$HASH}. */
    @Override
    public String toString() {
        Base64.Encoder b = Base64.getEncoder();
        return SCHEME + "$" + iterations + "$" + b.encodeToString(salt) + "$" + b.encodeToString(hash);
    }
}

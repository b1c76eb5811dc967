package dev.portcullis.policy;

import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.PBEKeySpec;

/**
 * Password hashes in appliance.yaml (console users, the metrics endpoint's basic auth): PBKDF2-HMAC-SHA256 with a random 16-byte salt and 600,000 iterations (the
 * OWASP figure for this function in 2023), stored as {@code $pbkdf2-sha256$i=600000$SALT$HASH} with standard
 * base64. Verifying costs about a third of a second of one core, which is also what makes guessing slow.
 *
 * <pre>{@code
 * String stored = PasswordHash.hash("correct horse".toCharArray());
 * PasswordHash.parse(stored).matches("correct horse".toCharArray());   // true
 * }</pre>
 *
 * <p>Immutable and thread-safe.
 */
public record PasswordHash(int iterations, byte[] salt, byte[] hash) {

    public static final int ITERATIONS = 600_000;
    static final int SALT_BYTES = 16;
    static final int HASH_BYTES = 32;
    private static final String ALGORITHM = "PBKDF2WithHmacSHA256";
    private static final Pattern FORM =
            Pattern.compile("\\$pbkdf2-sha256\\$i=([0-9]{1,9})\\$([A-Za-z0-9+/]+=*)\\$([A-Za-z0-9+/]+=*)");
    private static final SecureRandom RANDOM = new SecureRandom();

    public PasswordHash {
        if (iterations < 1000) {
            throw new IllegalArgumentException("a password hash of " + iterations + " iterations is too weak");
        }
        salt = salt.clone();
        hash = hash.clone();
    }

    /** Hashes a new password with a fresh salt; the caller should clear {@code password} afterwards. */
    public static String hash(char[] password) {
        byte[] salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
        return new PasswordHash(ITERATIONS, salt, derive(password, salt, ITERATIONS, HASH_BYTES)).encoded();
    }

    /** Whether {@code stored} has the form {@link #hash} writes (what appliance.yaml's readers check). */
    public static boolean wellFormed(String stored) {
        return FORM.matcher(stored).matches();
    }

    /**
     * Reads a stored hash.
     *
     * @throws IllegalArgumentException when {@code stored} is not of the form above
     */
    public static PasswordHash parse(String stored) {
        Matcher m = FORM.matcher(stored);
        if (!m.matches()) {
            throw new IllegalArgumentException("not a hash made by 'portcullis hash-password': expected "
                    + "$pbkdf2-sha256$i=N$SALT$HASH");
        }
        return new PasswordHash(Integer.parseInt(m.group(1)), Base64.getDecoder().decode(m.group(2)),
                Base64.getDecoder().decode(m.group(3)));
    }

    /** Whether {@code password} is the hashed one; compares in constant time. */
    public boolean matches(char[] password) {
        return MessageDigest.isEqual(hash, derive(password, salt, iterations, hash.length));
    }

    public String encoded() {
        return "$pbkdf2-sha256$i=" + iterations + "$" + Base64.getEncoder().encodeToString(salt) + "$"
                + Base64.getEncoder().encodeToString(hash);
    }

    private static byte[] derive(char[] password, byte[] salt, int iterations, int bytes) {
        PBEKeySpec spec = new PBEKeySpec(password, salt, iterations, bytes * 8);
        try {
            return SecretKeyFactory.getInstance(ALGORITHM).generateSecret(spec).getEncoded();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is missing from this JDK", e);
        } finally {
            spec.clearPassword();
        }
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PasswordHash p && p.iterations == iterations && MessageDigest.isEqual(p.salt, salt)
                && MessageDigest.isEqual(p.hash, hash);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(hash);
    }

    @Override
    public String toString() {
        return "PasswordHash[pbkdf2-sha256, " + iterations + " iterations]";
    }
}

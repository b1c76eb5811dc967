package dev.portcullis.policy;

/** How a service spreads new connections or flows over its healthy endpoints. */
public enum Balance {
    /** Each endpoint in turn. */
    ROUND_ROBIN("round-robin"),
    /** The endpoint with the fewest active connections (ties in turn). */
    LEAST_CONNECTIONS("least-connections"),
    /**
     * Consistent hashing on the client address (Maglev): a client keeps its endpoint, and an endpoint going away
     * moves only its own clients.
     */
    MAGLEV("maglev");

    private final String word;

    Balance(String word) {
        this.word = word;
    }

    /** The word used in policy files. */
    public String word() {
        return word;
    }

    static java.util.Optional<Balance> of(String word) {
        for (Balance b : values()) {
            if (b.word.equals(word)) {
                return java.util.Optional.of(b);
            }
        }
        return java.util.Optional.empty();
    }
}

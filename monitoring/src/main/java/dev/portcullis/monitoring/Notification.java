package dev.portcullis.monitoring;

import dev.portcullis.policy.HostPort;
import dev.portcullis.router.RefusalReason;
import java.util.Objects;

/** Something an operator is told about at once (an SNMP notification and a log line), rather than by polling. */
public sealed interface Notification {

    Kind kind();

    /** Kinds of notification; each is rate-limited on its own. */
    enum Kind {
        STARTED("start"),
        ENDPOINT_DOWN("endpoint-down"),
        ENDPOINT_UP("endpoint-up"),
        COMMIT("commit"),
        AUTOMATIC_ROLLBACK("automatic-rollback"),
        LIMIT_HIT("limit-hit");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        /** The stable label used in metrics and logs. */
        public String label() {
            return label;
        }
    }

    /** The appliance started: its node name and software version. */
    record Started(String node, String version) implements Notification {
        public Started {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(version, "version");
        }

        @Override
        public Kind kind() {
            return Kind.STARTED;
        }
    }

    /** An endpoint of a service failed its health checks and left the rotation. */
    record EndpointDown(String service, HostPort endpoint) implements Notification {
        public EndpointDown {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(endpoint, "endpoint");
        }

        @Override
        public Kind kind() {
            return Kind.ENDPOINT_DOWN;
        }
    }

    /** An endpoint of a service passed its health checks again and is back in the rotation. */
    record EndpointUp(String service, HostPort endpoint) implements Notification {
        public EndpointUp {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(endpoint, "endpoint");
        }

        @Override
        public Kind kind() {
            return Kind.ENDPOINT_UP;
        }
    }

    /** A configuration was committed and now runs. */
    record Commit(long revision, String author) implements Notification {
        public Commit {
            Objects.requireNonNull(author, "author");
        }

        @Override
        public Kind kind() {
            return Kind.COMMIT;
        }
    }

    /**
     * A commit that was not confirmed in time was rolled back by itself.
     *
     * @param revision the unconfirmed revision that was rolled back
     * @param restoredRevision the revision running again
     * @param author who made the unconfirmed commit
     */
    record AutomaticRollback(long revision, long restoredRevision, String author) implements Notification {
        public AutomaticRollback {
            Objects.requireNonNull(author, "author");
        }

        @Override
        public Kind kind() {
            return Kind.AUTOMATIC_ROLLBACK;
        }
    }

    /**
     * Connections were refused by a limit (service, per-source, global, UDP flow table) since the last check.
     *
     * @param service the service, or the empty string for a refusal not tied to one
     * @param refusals how many were refused for this reason since the last notification check
     */
    record LimitHit(String service, RefusalReason reason, long refusals) implements Notification {
        public LimitHit {
            Objects.requireNonNull(service, "service");
            Objects.requireNonNull(reason, "reason");
        }

        @Override
        public Kind kind() {
            return Kind.LIMIT_HIT;
        }
    }
}

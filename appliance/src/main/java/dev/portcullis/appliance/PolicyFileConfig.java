package dev.portcullis.appliance;

import dev.portcullis.mgmt.console.ConfigBackend;
import dev.portcullis.mgmt.console.ConfigException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.List;

/**
 * The console's configuration view while the appliance has no configuration store: the running policy is the
 * policy file, as one revision; configuration mode is refused, saying how to change the policy instead (edit the
 * file, then SIGHUP). The configuration store replaces this with numbered revisions and commits.
 */
final class PolicyFileConfig implements ConfigBackend {

    private final Path policy;

    PolicyFileConfig(Path policy) {
        this.policy = policy;
    }

    @Override
    public Revision running() {
        try {
            return new Revision(1, Files.readString(policy));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the policy file " + policy, e);
        }
    }

    @Override
    public Revision revision(int number) throws ConfigException {
        if (number != 1) {
            throw new ConfigException("no revision " + number + ": without the configuration store the policy "
                    + "file " + policy + " is the only revision (1)");
        }
        return running();
    }

    @Override
    public List<RevisionInfo> history() {
        Instant modified;
        try {
            FileTime t = Files.getLastModifiedTime(policy);
            modified = t.toInstant();
        } catch (IOException e) {
            modified = Instant.EPOCH;
        }
        return List.of(new RevisionInfo(1, modified, "", "", "the policy file " + policy, "running"));
    }

    @Override
    public Session open(Operator who) throws ConfigException {
        throw new ConfigException("configuration mode needs the configuration store, which this appliance does "
                + "not have; edit " + policy + " and send SIGHUP to the daemon to reload it");
    }
}

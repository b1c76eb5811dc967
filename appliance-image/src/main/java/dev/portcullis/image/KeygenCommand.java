package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code portcullis-image keygen}: a new Ed25519 key pair for signing update bundles. */
@Command(name = "keygen", mixinStandardHelpOptions = true,
        description = "Make an Ed25519 key pair for signing update bundles. The private key must stay outside "
                + "the repository: a path inside a git work tree is refused, and no file is overwritten.")
final class KeygenCommand implements Callable<Integer> {

    static final Path DEFAULT_DIR = Path.of(System.getProperty("user.home"), ".config", "portcullis");

    @Spec
    CommandSpec spec;

    @Option(names = "--private", paramLabel = "FILE", description = "Private key (default: ${DEFAULT-VALUE}).")
    Path privateKey = DEFAULT_DIR.resolve("image-signing.key");

    @Option(names = "--public", paramLabel = "FILE", description = "Public key (default: the private key's path "
            + "with .pub instead of .key).")
    Path publicKey;

    @Override
    public Integer call() throws IOException {
        Path priv = privateKey.toAbsolutePath().normalize();
        Path pub = publicKey != null ? publicKey : priv.resolveSibling(priv.getFileName().toString()
                .replaceFirst("\\.key$", "") + ".pub");
        Optional<Path> repo = gitWorkTree(priv.getParent());
        if (repo.isPresent()) {
            throw new ImageFailure(ImageMain.EXIT_REFUSED, priv + " is inside the git work tree " + repo.get()
                    + "; keep the private key outside any repository (the default is " + DEFAULT_DIR + ")");
        }
        for (Path p : new Path[] {priv, pub}) {
            if (Files.exists(p)) {
                throw new ImageFailure(ImageMain.EXIT_REFUSED, p + " exists; a key file is never overwritten");
            }
        }
        if (!Files.isDirectory(priv.getParent())) {
            Files.createDirectories(priv.getParent(), PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rwx------")));
        }
        SigningKey key = SigningKey.generate(new SecureRandom());
        key.write(priv);
        key.publicKey().write(pub);
        spec.commandLine().getOut().println("private key " + priv + " (readable by you only; back it up, keep it "
                + "out of repositories)");
        spec.commandLine().getOut().println("public key  " + pub + " (" + key.publicKey().fingerprint() + ")");
        return 0;
    }

    /** The nearest directory at or above {@code dir} with a {@code .git} entry. */
    static Optional<Path> gitWorkTree(Path dir) {
        for (Path d = dir; d != null; d = d.getParent()) {
            if (Files.exists(d.resolve(".git"))) {
                return Optional.of(d);
            }
        }
        return Optional.empty();
    }
}

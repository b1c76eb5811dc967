package dev.portcullis.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Runs {@code portcullis-image} in-process, as a user would from the shell, and checks output and exit code. */
class ImageCommandLineTest {

    @TempDir
    Path tmp;

    private record Result(int exit, String out, String err) {
    }

    private static Result run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exit = ImageMain.run(new PrintWriter(out), new PrintWriter(err), args);
        return new Result(exit, out.toString(), err.toString());
    }

    @Test
    void keygen_outsideARepository_writesBothKeys() throws Exception {
        Path priv = tmp.resolve("keys/signing.key");
        Result r = run("keygen", "--private", priv.toString());
        assertThat(r.exit()).as(r.err()).isZero();
        assertThat(r.out()).contains("public key  " + tmp.resolve("keys/signing.pub"));
        assertThat(SigningKey.read(priv).publicKey().fingerprint())
                .isEqualTo(VerifyingKey.read(tmp.resolve("keys/signing.pub")).fingerprint());
    }

    @Test
    void keygen_insideAGitWorkTree_isRefusedAndWritesNothing() throws Exception {
        Files.createDirectories(tmp.resolve("repo/.git"));
        Path priv = tmp.resolve("repo/keys/signing.key");
        Result r = run("keygen", "--private", priv.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("is inside the git work tree " + tmp.resolve("repo"));
        assertThat(priv.getParent()).doesNotExist();
    }

    @Test
    void keygen_existingKey_isNeverOverwritten() throws Exception {
        Path priv = Files.writeString(tmp.resolve("signing.key"), "old key");
        Result r = run("keygen", "--private", priv.toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("exists; a key file is never overwritten");
        assertThat(Files.readString(priv)).isEqualTo("old key");
    }

    @Test
    void verify_goodAndWrongKey_exitZeroAndOne() throws Exception {
        SigningKey key = TestBundles.key(30);
        Path pub = tmp.resolve("k.pub");
        key.publicKey().write(pub);
        Path other = tmp.resolve("other.pub");
        TestBundles.key(31).publicKey().write(other);
        Path b = TestBundles.bundle(tmp, "u.bundle", TestBundles.spec("0.3.0"), Optional.of(key), 1, 100, 10, 10);

        Result ok = run("verify", b.toString(), "--key", pub.toString());
        assertThat(ok.exit()).as(ok.err()).isZero();
        assertThat(ok.out()).contains("version 0.3.0", "part rootfs 100 sha256:", "valid: signed by sha256:");

        Result wrong = run("verify", b.toString(), "--key", other.toString());
        assertThat(wrong.exit()).isEqualTo(1);
        assertThat(wrong.err()).contains("portcullis-image: " + b + ": signed with key");
    }

    @Test
    void software_addThenShow_listsBothSlots() throws Exception {
        ApplianceFixture box = new ApplianceFixture(tmp, "0.1.0");
        Path pub = tmp.resolve("trusted.pub");
        box.key.publicKey().write(pub);
        Path cmdline = Files.writeString(tmp.resolve("cmdline"), "root=PARTLABEL=portcullis-root-a rw "
                + "portcullis.slot=a quiet\n");
        String[] where = {"--esp", box.esp.root().toString(), "--slot-a", box.devices.get(Slot.A).toString(),
            "--slot-b", box.devices.get(Slot.B).toString(), "--cmdline", cmdline.toString(), "--key", pub.toString()};
        Path bundle = box.bundle("u.bundle", "0.2.0", 1);

        Result add = run(concat(new String[] {"software", "add", bundle.toString()}, where));
        assertThat(add.exit()).as(add.err()).isZero();
        assertThat(add.out()).contains("installed 0.2.0 into slot b; it is tried once at the next boot");

        Result show = run(concat(new String[] {"software", "show"}, where));
        assertThat(show.exit()).isZero();
        assertThat(show.out()).isEqualTo("""
                slot  version  built                 state    notes
                a     0.1.0    2026-11-28 09:10 UTC  good     running
                b     0.2.0    2026-11-28 09:10 UTC  untried  boots next
                """);

        Result older = run(concat(new String[] {"software", "add", box.bundle("o.bundle", "0.0.1", 2).toString()},
                where));
        assertThat(older.exit()).isEqualTo(1);
        assertThat(older.err()).contains("is older than the running 0.1.0; force it to downgrade");
    }

    @Test
    void flash_missingImage_saysSo() throws IOException {
        Result r = run("flash", tmp.resolve("none.img").toString(), "--target", tmp.resolve("t.img").toString());
        assertThat(r.exit()).isEqualTo(1);
        assertThat(r.err()).contains("none.img: no such image file");
    }

    private static String[] concat(String[] a, String[] b) {
        String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}

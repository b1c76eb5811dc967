package dev.portcullis.image;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * The commit a build is made from: its hash, its commit time (the build's {@code SOURCE_DATE_EPOCH}: every file
 * time in the image is clamped to it), and whether the work tree had changes.
 */
record SourceInfo(String commit, long commitTime, boolean dirty) {

    static SourceInfo of(Path repo) throws IOException {
        Exec.require("git", "git");
        String commit = Exec.check(List.of("git", "-C", repo.toString(), "rev-parse", "HEAD")).strip();
        long time = Long.parseLong(Exec.check(List.of("git", "-C", repo.toString(), "log", "-1", "--format=%ct",
                "HEAD")).strip());
        boolean dirty = !Exec.check(List.of("git", "-C", repo.toString(), "status", "--porcelain",
                "--untracked-files=no")).isBlank();
        return new SourceInfo(commit, time, dirty);
    }

    String shortCommit() {
        return commit.substring(0, Math.min(12, commit.length()));
    }

    /** {@code base} with the commit as build metadata: {@code 0.1.0-SNAPSHOT+g1a2b3c4d5e6f}. */
    SoftwareVersion version(String base) {
        SoftwareVersion v = SoftwareVersion.parse(base);
        return new SoftwareVersion(v.major(), v.minor(), v.patch(), v.preRelease(), "g" + shortCommit()
                + (dirty ? ".dirty" : ""));
    }
}

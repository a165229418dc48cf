package dev.starling.it;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A small public-key infrastructure made with the {@code openssl} command at test time (no
 * private key is committed): a root CA, an intermediate CA, and server certificates for
 * localhost and 127.0.0.1 issued by the intermediate. A server presents its certificate with
 * the intermediate ({@code NAME-chain.pem}); clients trust only {@code ca.pem}.
 */
record TestPki(Path dir) {

    /** Makes the two CAs in {@code dir}. */
    static TestPki create(Path dir) throws IOException, InterruptedException {
        TestPki pki = new TestPki(dir);
        pki.openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.pem", "-days", "3", "-subj", "/CN=Starling Test Root CA");
        Files.writeString(dir.resolve("ca.ext"), "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
        pki.openssl("req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "inter.key",
                "-out", "inter.csr", "-subj", "/CN=Starling Test Intermediate CA");
        pki.openssl("x509", "-req", "-in", "inter.csr", "-CA", "ca.pem", "-CAkey", "ca.key", "-CAcreateserial",
                "-out", "inter.pem", "-days", "3", "-extfile", "ca.ext");
        // openssl ca, unlike x509, sets any validity period: the expired certificate needs it.
        Files.createDirectories(dir.resolve("db"));
        Files.writeString(dir.resolve("db/index.txt"), "");
        Files.writeString(dir.resolve("db/serial"), "1000\n");
        Files.writeString(dir.resolve("ca.cnf"), String.join("\n", "[ca]", "default_ca = test", "[test]",
                "database = db/index.txt", "new_certs_dir = db", "serial = db/serial", "default_md = sha256",
                "policy = any", "unique_subject = no", "copy_extensions = copy", "[any]", "organizationName = optional",
                "commonName = supplied", ""));
        return pki;
    }

    /**
     * A new RSA key {@code NAME.key} (PKCS#8) and its certificate {@code NAME.pem} for
     * {@code organization}, valid from {@code start} to {@code end} (openssl's YYYYMMDDHHMMSSZ),
     * and {@code NAME-chain.pem}, the certificate followed by the intermediate.
     */
    Path issue(String name, String organization, String start, String end) throws IOException, InterruptedException {
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out", name + ".csr",
                "-subj", "/O=" + organization + "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1");
        openssl("ca", "-batch", "-config", "ca.cnf", "-cert", "inter.pem", "-keyfile", "inter.key", "-in", name + ".csr",
                "-out", name + ".pem", "-startdate", start, "-enddate", end, "-notext");
        Files.writeString(dir.resolve(name + "-chain.pem"),
                Files.readString(dir.resolve(name + ".pem")) + Files.readString(dir.resolve("inter.pem")));
        return dir.resolve(name + "-chain.pem");
    }

    /** {@link #issue} valid from yesterday for two days. */
    Path issue(String name, String organization) throws IOException, InterruptedException {
        java.time.format.DateTimeFormatter format = java.time.format.DateTimeFormatter.ofPattern("yyyyMMddHHmmss'Z'")
                .withZone(java.time.ZoneOffset.UTC);
        java.time.Instant now = java.time.Instant.now();
        return issue(name, organization, format.format(now.minus(java.time.Duration.ofDays(1))),
                format.format(now.plus(java.time.Duration.ofDays(2))));
    }

    Path file(String name) {
        return dir.resolve(name);
    }

    void openssl(String... args) throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "openssl";
        System.arraycopy(args, 0, command, 1, args.length);
        Peers.check(dir, command);
    }
}

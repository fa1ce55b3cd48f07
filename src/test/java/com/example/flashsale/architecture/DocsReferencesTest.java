package com.example.flashsale.architecture;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every reference the code makes to the repository's docs resolves: a document path, optionally followed
 * by a quoted heading or a {@code #anchor}, names an existing file and heading. So a renamed
 * heading or a document that is not in the repository fails the build.
 */
class DocsReferencesTest {

	private static final Pattern REFERENCE = Pattern
		.compile("docs/([a-z0-9/_-]+\\.md)(?:#([a-z0-9-]+)| \"([^\"]+)\"(?:, \"([^\"]+)\")*)?");

	@Test
	void everyDocsReferenceInTheCodeResolves() throws IOException {
		List<String> broken = new ArrayList<>();
		try (Stream<Path> files = Stream.concat(Files.walk(Path.of("src")), Stream.of(Path.of("README.md")))) {
			for (Path file : files.filter(Files::isRegularFile).filter((f) -> !f.toString().contains("db/migration")).toList()) {
				// Javadoc wraps lines: read each file as one line
				String text = Files.readString(file).replaceAll("\\s*\\n\\s*(\\*\\s*|--\\s*|//\\s*)?", " ");
				Matcher reference = REFERENCE.matcher(text);
				while (reference.find()) {
					Path doc = Path.of("docs", reference.group(1));
					if (!Files.exists(doc)) {
						broken.add(file + ": " + reference.group() + " (no such file)");
						continue;
					}
					List<String> anchors = anchors(doc);
					for (int group = 2; group <= 4; group++) {
						String wanted = reference.group(group);
						if (wanted != null && !anchors.contains((group == 2) ? wanted : anchor(wanted))) {
							broken.add(file + ": " + reference.group() + " (no such heading)");
						}
					}
				}
			}
		}
		assertThat(broken).isEmpty();
	}

	private static List<String> anchors(Path doc) throws IOException {
		return Files.readAllLines(doc).stream()
			.filter((line) -> line.startsWith("#"))
			.map((line) -> anchor(line.replaceFirst("^#+\\s*", "")))
			.toList();
	}

	/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
	static String anchor(String heading) {
		return heading.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 _-]", "").replace(' ', '-');
	}

}

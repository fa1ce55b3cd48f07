package com.example.flashsale;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import com.microsoft.playwright.Browser;
import com.microsoft.playwright.BrowserType;
import com.microsoft.playwright.Playwright;

/**
 * The browser tests' headless Chromium: the system's (Debian's {@code chromium}, or {@code CHROMIUM_PATH}),
 * driven by Playwright, which downloads no browser.
 */
public final class Chromium {

	/** Why a browser test is skipped where no Chromium is installed ({@code .ci/run} installs it). */
	public static final String MISSING = "No Chromium found (apt-get install chromium, or set CHROMIUM_PATH): "
			+ "this browser test cannot run here";

	private Chromium() {
	}

	/** The system's Chromium; null when none is installed. */
	public static Path path() {
		String configured = System.getenv("CHROMIUM_PATH");
		return Stream.of(configured, "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome")
			.filter((candidate) -> candidate != null && !candidate.isBlank())
			.map(Path::of)
			.filter(Files::isExecutable)
			.findFirst()
			.orElse(null);
	}

	/** Playwright without its browser download. */
	public static Playwright playwright() {
		return Playwright.create(new Playwright.CreateOptions().setEnv(Map.of("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")));
	}

	/** The system's Chromium, headless. */
	public static Browser launch(Playwright playwright) {
		return playwright.chromium()
			.launch(new BrowserType.LaunchOptions().setExecutablePath(path())
				.setHeadless(true)
				.setArgs(List.of("--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage")));
	}

}

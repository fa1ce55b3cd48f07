package com.example.flashsale.support.openapi;

import org.junit.jupiter.api.Test;

import org.springframework.http.MediaType;

import com.example.flashsale.IntegrationTest;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A newcomer's way in (docs/api.md "OpenAPI"): {@code GET /} is an index page linking Swagger UI, the API
 * document and health; those open without a token, served off the event loops (BlockHound watches).
 */
class DocumentationPagesTest extends IntegrationTest {

	@Test
	void theIndexPageLinksTheDocumentation() {
		String page = this.client.get().uri("/").accept(MediaType.TEXT_HTML).exchange()
			.expectStatus().isOk()
			.expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML)
			.expectBody(String.class).returnResult().getResponseBody();
		assertThat(page).contains("href=\"swagger-ui.html\"", "href=\"v3/api-docs\"", "href=\"actuator/health\"",
				"README.md", "docs/api.md");
	}

	@Test
	void swaggerUiAndTheDocumentNeedNoToken() {
		String location = this.client.get().uri("/swagger-ui.html").exchange()
			.expectStatus().is3xxRedirection()
			.returnResult(Void.class).getResponseHeaders().getLocation().getPath();
		this.client.get().uri(location).exchange()
			.expectStatus().isOk()
			.expectHeader().contentTypeCompatibleWith(MediaType.TEXT_HTML);
		this.client.get().uri("/v3/api-docs/swagger-config").exchange()
			.expectStatus().isOk()
			.expectBody().jsonPath("$.url").isEqualTo("/v3/api-docs");
		for (String language : new String[] { "en", "ko-KR", "x-made-up" }) {
			this.client.mutate().codecs((codecs) -> codecs.defaultCodecs().maxInMemorySize(4 * 1024 * 1024)).build()
				.get().uri("/v3/api-docs").header("Accept-Language", language).exchange()
				.expectStatus().isOk()
				.expectBody().jsonPath("$.openapi").isEqualTo("3.0.1");
		}
	}

	@Test
	void onlyTheDocumentationLeavesTheEventLoop() {
		assertThat(DocumentationPages.isDocumentation("/")).isTrue();
		assertThat(DocumentationPages.isDocumentation("/v3/api-docs")).isTrue();
		assertThat(DocumentationPages.isDocumentation("/v3/api-docs/swagger-config")).isTrue();
		assertThat(DocumentationPages.isDocumentation("/swagger-ui/index.html")).isTrue();
		assertThat(DocumentationPages.isDocumentation("/webjars/swagger-ui/index.html")).isTrue();
		assertThat(DocumentationPages.isDocumentation("/api/products")).isFalse();
		assertThat(DocumentationPages.isDocumentation("/actuator/health/liveness")).isFalse();
		assertThat(DocumentationPages.isDocumentation("/v3/api-docsx")).isFalse();
	}

}

package com.example.flashsale.support.startup;

import org.apache.commons.logging.Log;
import org.apache.commons.logging.LogFactory;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.json.JsonMapper;

import java.util.ArrayList;
import java.util.List;

import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.AnnotatedBeanDefinition;
import org.springframework.beans.factory.config.BeanDefinition;
import org.springframework.context.annotation.ClassPathScanningCandidateComponentProvider;
import org.springframework.core.type.filter.AssignableTypeFilter;
import org.springframework.http.codec.DecoderHttpMessageReader;
import org.springframework.http.codec.EncoderHttpMessageWriter;
import org.springframework.http.codec.JacksonCodecSupport;
import org.springframework.http.codec.ServerCodecConfigurer;
import org.springframework.stereotype.Component;
import org.springframework.util.ClassUtils;

import com.example.flashsale.FlashSaleApplication;

/**
 * Builds Jackson's (de)serializers of every record of the application at startup, on the main thread.
 * Jackson creates them on first use under a {@code ReentrantLock}; a burst of first requests of one type
 * (a flash sale opening on a fresh instance) would park event-loop threads on it, which BlockHound
 * reports and which stalls every connection of that loop. Every JSON body and view here is a record.
 * Each mapper keeps its own caches, so every mapper that serves requests is warmed: the application's, and
 * the ones of the server's JSON codecs (request bodies are read by a stricter copy, see JacksonConfig).
 */
@Component
class JsonWarmUp implements StartupTask {

	private static final Log logger = LogFactory.getLog(JsonWarmUp.class);

	private final JsonMapper jsonMapper;

	private final ObjectProvider<ServerCodecConfigurer> codecs;

	JsonWarmUp(JsonMapper jsonMapper, ObjectProvider<ServerCodecConfigurer> codecs) {
		this.jsonMapper = jsonMapper;
		this.codecs = codecs;
	}

	/** The application's mapper and, when this is a web server, every distinct mapper of its JSON codecs. */
	private List<ObjectMapper> mappers() {
		List<ObjectMapper> mappers = new ArrayList<>(List.of(this.jsonMapper));
		ServerCodecConfigurer configurer = this.codecs.getIfAvailable();
		if (configurer == null) {
			return mappers;
		}
		List<Object> codecs = new ArrayList<>();
		configurer.getReaders().forEach((reader) -> {
			if (reader instanceof DecoderHttpMessageReader<?> decoding) {
				codecs.add(decoding.getDecoder());
			}
		});
		configurer.getWriters().forEach((writer) -> {
			if (writer instanceof EncoderHttpMessageWriter<?> encoding) {
				codecs.add(encoding.getEncoder());
			}
		});
		for (Object codec : codecs) {
			if (codec instanceof JacksonCodecSupport<?> jackson
					&& mappers.stream().noneMatch((known) -> known == jackson.getMapper())) {
				mappers.add(jackson.getMapper());
			}
		}
		return mappers;
	}

	@Override
	public void run() {
		ClassPathScanningCandidateComponentProvider scanner = new ClassPathScanningCandidateComponentProvider(false) {
			@Override
			protected boolean isCandidateComponent(AnnotatedBeanDefinition definition) {
				return definition.getMetadata().isIndependent();
			}
		};
		scanner.addIncludeFilter(new AssignableTypeFilter(Record.class));
		int warmed = 0;
		List<ObjectMapper> mappers = mappers();
		for (BeanDefinition definition : scanner.findCandidateComponents(FlashSaleApplication.class.getPackageName())) {
			try {
				Class<?> type = ClassUtils.forName(definition.getBeanClassName(), getClass().getClassLoader());
				for (ObjectMapper mapper : mappers) {
					mapper.readerFor(type);
					mapper.writerFor(type);
				}
				warmed++;
			}
			catch (ClassNotFoundException | LinkageError | RuntimeException ex) {
				logger.debug("Skipped JSON warm-up of " + definition.getBeanClassName() + ": " + ex);
			}
		}
		logger.debug("Built JSON (de)serializers of " + warmed + " record types in " + mappers.size() + " mappers");
	}

}

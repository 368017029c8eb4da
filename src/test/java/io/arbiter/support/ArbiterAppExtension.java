package io.arbiter.support;

import java.lang.reflect.Field;
import java.lang.reflect.Method;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestInstancePostProcessor;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;
import org.junit.platform.commons.support.ReflectionSupport;

/**
 * Starts the {@link TestApp} that {@link ArbiterApp} describes once per test class, injects it (or its {@link Http}
 * client and {@link Tokens}) into fields marked {@link ArbiterApp.Inject} and into method parameters of those types,
 * and closes it after the class. How to use it: {@link ArbiterApp}.
 */
public final class ArbiterAppExtension
    implements BeforeAllCallback, AfterAllCallback, TestInstancePostProcessor, ParameterResolver {

  private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(ArbiterApp.class);
  private static final List<Class<?>> INJECTABLE = List.of(TestApp.class, Http.class, Tokens.class);

  @Override
  public void beforeAll(ExtensionContext context) {
    inject(context.getRequiredTestClass(), null, started(context), ModifierSupport::isStatic);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    TestApp app = context.getStore(NAMESPACE).remove(TestApp.class, TestApp.class);
    if (app != null) {
      app.close();
    }
  }

  @Override
  public void postProcessTestInstance(Object instance, ExtensionContext context) {
    inject(instance.getClass(), instance, started(context), ModifierSupport::isNotStatic);
  }

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return INJECTABLE.contains(parameter.getParameter().getType());
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return part(app(context), parameter.getParameter().getType());
  }

  /**
   * The app of this class or of an enclosing one, started now if there is none yet (a per-class test instance is made,
   * and its fields injected, before the class's {@code beforeAll}).
   */
  private static TestApp started(ExtensionContext context) {
    TestApp app = app(context);
    if (app == null) {
      app = TestApp.start(settings(context.getRequiredTestClass()));
      context.getStore(NAMESPACE).put(TestApp.class, app);
    }
    return app;
  }

  /** The app of this class or of an enclosing one (a store lookup falls back to the parent contexts). */
  private static TestApp app(ExtensionContext context) {
    return context.getStore(NAMESPACE).get(TestApp.class, TestApp.class);
  }

  private static Map<String, Object> settings(Class<?> testClass) {
    Map<String, Object> settings = new LinkedHashMap<>();
    Optional<ArbiterApp> declared = AnnotationSupport.findAnnotation(testClass, ArbiterApp.class);
    for (String pair : declared.map(ArbiterApp::value).orElse(new String[0])) {
      int split = pair.indexOf('=');
      if (split <= 0) {
        throw new ExtensionConfigurationException("@ArbiterApp setting '" + pair + "' of " + testClass.getName()
            + " is not path=value");
      }
      settings.put(pair.substring(0, split).trim(), pair.substring(split + 1));
    }
    for (Method method : AnnotationSupport.findAnnotatedMethods(testClass, ArbiterApp.Settings.class,
        HierarchyTraversalMode.TOP_DOWN)) {
      if (!ModifierSupport.isStatic(method) || method.getParameterCount() != 0
          || !Map.class.isAssignableFrom(method.getReturnType())) {
        throw new ExtensionConfigurationException("@ArbiterApp.Settings method " + method + " must be static, take "
            + "no parameters and return a Map<String, ?>");
      }
      ((Map<?, ?>) ReflectionSupport.invokeMethod(method, null)).forEach((path, value) ->
          settings.put((String) path, value));
    }
    return settings;
  }

  private static void inject(Class<?> testClass, Object instance, TestApp app,
      java.util.function.Predicate<Field> which) {
    for (Field field : AnnotationSupport.findAnnotatedFields(testClass, ArbiterApp.Inject.class, which)) {
      if (!INJECTABLE.contains(field.getType()) || ModifierSupport.isFinal(field)) {
        throw new ExtensionConfigurationException("@ArbiterApp.Inject field " + field + " must be a non-final "
            + "TestApp, Http or Tokens");
      }
      try {
        field.setAccessible(true);
        field.set(instance, part(app, field.getType()));
      } catch (IllegalAccessException e) {
        throw new ExtensionConfigurationException("cannot set " + field, e);
      }
    }
  }

  private static Object part(TestApp app, Class<?> type) {
    if (app == null) {
      throw new ExtensionConfigurationException("no app: the test class is not annotated @ArbiterApp");
    }
    if (type == Http.class) {
      return app.http();
    }
    return type == Tokens.class ? app.tokens() : app;
  }
}

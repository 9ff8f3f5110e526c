# `cmake --install`: every executable and shared module the build defines,
# found by walking the directory tree (so targets added later, such as an
# executor plugin or a helper executable, are installed without a change
# here), with RPATHs relative to the install tree so it can be moved:
#   bin/                     apps' executables            RPATH $ORIGIN/../lib
#   lib/                     shared/module libraries      RPATH $ORIGIN
#   libexec/dnnroof/tests/   test executables (component tests)
#                            + gpu-tests.txt (those labelled gpu)
#   share/dnnroof/data/      data/
#   bin/gpu-check.sh         the prepared GPU check (scripts/gpu-check.sh)
# scripts/bundle.sh adds the shared libraries they need (ldd closure).
include(GNUInstallDirs)

function(dnnroof_collect_targets dir out)
  get_property(targets DIRECTORY ${dir} PROPERTY BUILDSYSTEM_TARGETS)
  get_property(subdirs DIRECTORY ${dir} PROPERTY SUBDIRECTORIES)
  foreach(sub ${subdirs})
    dnnroof_collect_targets(${sub} sub_targets)
    list(APPEND targets ${sub_targets})
  endforeach()
  set(${out} ${targets} PARENT_SCOPE)
endfunction()

dnnroof_collect_targets(${PROJECT_SOURCE_DIR} dnnroof_all_targets)
set(dnnroof_gpu_tests "")
foreach(t ${dnnroof_all_targets})
  get_target_property(type ${t} TYPE)
  get_target_property(src ${t} SOURCE_DIR)
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${src})
  if(rel MATCHES "^(bench|fuzz)(/|$)")
    continue()
  endif()
  if(type STREQUAL "EXECUTABLE")
    if(rel MATCHES "^tests(/|$)")
      set_target_properties(${t} PROPERTIES INSTALL_RPATH "$ORIGIN/../../../lib")
      install(TARGETS ${t} RUNTIME DESTINATION libexec/dnnroof/tests COMPONENT tests)
      get_target_property(labels ${t} DNNROOF_TEST_LABELS)
      if(labels AND "gpu" IN_LIST labels)
        string(APPEND dnnroof_gpu_tests "${t}\n")
      endif()
    else()
      set_target_properties(${t} PROPERTIES INSTALL_RPATH "$ORIGIN/../lib")
      install(TARGETS ${t} RUNTIME DESTINATION bin)
    endif()
  elseif(type STREQUAL "SHARED_LIBRARY" OR type STREQUAL "MODULE_LIBRARY")
    set_target_properties(${t} PROPERTIES INSTALL_RPATH "$ORIGIN")
    install(TARGETS ${t} LIBRARY DESTINATION lib RUNTIME DESTINATION bin)
  endif()
endforeach()
file(WRITE ${PROJECT_BINARY_DIR}/gpu-tests.txt "${dnnroof_gpu_tests}")
install(FILES ${PROJECT_BINARY_DIR}/gpu-tests.txt DESTINATION libexec/dnnroof/tests
        COMPONENT tests)
install(DIRECTORY ${PROJECT_SOURCE_DIR}/data/ DESTINATION share/dnnroof/data)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/scripts/gpu-check.sh DESTINATION bin)

# The bundled tests run without the source and build trees: every test
# executable force-includes tests/bundle/test_paths.h, which maps the paths
# the build bakes in (DNNROOF_SOURCE_DIR, DNNROOF_BINARY, ...) into the
# bundle (their data: tests/bundle/CMakeLists.txt).
foreach(t ${dnnroof_all_targets})
  get_target_property(type ${t} TYPE)
  get_target_property(src ${t} SOURCE_DIR)
  file(RELATIVE_PATH rel ${PROJECT_SOURCE_DIR} ${src})
  if(type STREQUAL "EXECUTABLE" AND rel MATCHES "^tests(/|$)")
    target_compile_options(${t} PRIVATE
      "$<$<COMPILE_LANGUAGE:CXX>:SHELL:-include ${PROJECT_SOURCE_DIR}/tests/bundle/test_paths.h>")
    target_compile_definitions(${t} PRIVATE DNNROOF_TEST_BUILD_DIR="${PROJECT_BINARY_DIR}")
  endif()
endforeach()

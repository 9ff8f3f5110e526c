# Warnings for dnnroof's own code (never for third-party headers, which come in
# as SYSTEM includes through their imported targets).
function(dnnroof_warnings target)
  target_compile_options(${target} PRIVATE
    $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor
      -Wold-style-cast -Wcast-align -Woverloaded-virtual -Wnull-dereference
      -Wimplicit-fallthrough>)
  if(DNNROOF_WERROR)
    target_compile_options(${target} PRIVATE $<$<COMPILE_LANGUAGE:CXX>:-Werror>)
  endif()
endfunction()

# dnnroof_module(NAME SOURCES ... DEPS ...): one library target per module,
# dnnroof_<name>, with the alias dnnroof::<name>. Headers are included as
# "<module>/<file>.h" from src/.
function(dnnroof_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(dnnroof_${name} STATIC ${M_SOURCES})
  add_library(dnnroof::${name} ALIAS dnnroof_${name})
  target_include_directories(dnnroof_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>)
  target_link_libraries(dnnroof_${name} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  set_target_properties(dnnroof_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  dnnroof_warnings(dnnroof_${name})
endfunction()

# dnnroof_test(NAME SOURCES ... DEPS ... [LABELS ...]): one GoogleTest binary,
# registered with CTest test by test.
function(dnnroof_test name)
  cmake_parse_arguments(T "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    DNNROOF_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    DNNROOF_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  dnnroof_warnings(${name})
  set(props "")
  if(T_LABELS)
    set(props PROPERTIES LABELS "${T_LABELS}")
    # For the install step (cmake/install.cmake lists the gpu-labelled ones).
    set_target_properties(${name} PROPERTIES DNNROOF_TEST_LABELS "${T_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 ${props})
endfunction()

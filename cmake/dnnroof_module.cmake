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

# dnnroof_module(NAME SOURCES ... DEPS ... PRIVATE_DEPS ...
#                [CUDA_SOURCES ... NO_CUDA_SOURCES ...]): one library target per
# module, dnnroof_<name>, with the alias dnnroof::<name>. Headers are included
# as "<module>/<file>.h" from src/. When nvcc was found (DNNROOF_HAVE_CUDA)
# CUDA_SOURCES are built and the CUDA runtime linked privately; otherwise
# NO_CUDA_SOURCES (the "no CUDA" stand-ins) are built instead.
function(dnnroof_module name)
  cmake_parse_arguments(M "" "" "SOURCES;DEPS;PRIVATE_DEPS;CUDA_SOURCES;NO_CUDA_SOURCES" ${ARGN})
  if(DNNROOF_HAVE_CUDA AND (M_CUDA_SOURCES OR M_NO_CUDA_SOURCES))
    list(APPEND M_SOURCES ${M_CUDA_SOURCES})
    list(APPEND M_PRIVATE_DEPS CUDA::cudart)
  else()
    list(APPEND M_SOURCES ${M_NO_CUDA_SOURCES})
  endif()
  add_library(dnnroof_${name} STATIC ${M_SOURCES})
  add_library(dnnroof::${name} ALIAS dnnroof_${name})
  target_include_directories(dnnroof_${name} PUBLIC
    $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/src>
    $<BUILD_INTERFACE:${PROJECT_BINARY_DIR}/generated>)
  target_link_libraries(dnnroof_${name} PUBLIC ${M_DEPS} PRIVATE ${M_PRIVATE_DEPS})
  set_target_properties(dnnroof_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  dnnroof_warnings(dnnroof_${name})
endfunction()

# dnnroof_embed_files(OUT_VAR GLOB pattern TYPE type HEADER header
#                     NAMESPACE ns FUNCTION fn): compiles the files matching
# `pattern` (relative to the project root, e.g. data/chips/*.toml) into the
# library as raw string literals. Generates <build>/generated/<module>/<fn>.cc
# (cmake/embed_files.cmake), which defines `std::span<const type> ns::fn()`
# declared in `header`, and sets OUT_VAR to that .cc for the module's SOURCES.
function(dnnroof_embed_files out_var)
  cmake_parse_arguments(E "" "GLOB;TYPE;HEADER;NAMESPACE;FUNCTION" "" ${ARGN})
  get_filename_component(prefix ${E_GLOB} DIRECTORY)
  file(GLOB files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${E_GLOB})
  list(SORT files)
  string(REPLACE ";" "|" files_arg "${files}")
  file(RELATIVE_PATH module ${PROJECT_SOURCE_DIR}/src ${CMAKE_CURRENT_SOURCE_DIR})
  set(output ${PROJECT_BINARY_DIR}/generated/${module}/${E_FUNCTION}.cc)
  set(script ${PROJECT_SOURCE_DIR}/cmake/embed_files.cmake)
  add_custom_command(
    OUTPUT ${output}
    COMMAND ${CMAKE_COMMAND} "-DFILES=${files_arg}" -DOUTPUT=${output} -DTYPE=${E_TYPE}
            -DHEADER=${E_HEADER} -DNAMESPACE=${E_NAMESPACE} -DFUNCTION=${E_FUNCTION}
            -DPREFIX=${prefix} -DGENERATOR=src/${module} -P ${script}
    DEPENDS ${files} ${script}
    COMMENT "Embedding ${E_GLOB}"
    VERBATIM)
  set(${out_var} ${output} PARENT_SCOPE)
endfunction()

# dnnroof_test(NAME [PROGRAM] SOURCES ... DEPS ... [LABELS ...]): one GoogleTest binary,
# registered with CTest test by test.
function(dnnroof_test name)
  cmake_parse_arguments(T "PROGRAM" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${T_SOURCES})
  target_link_libraries(${name} PRIVATE ${T_DEPS} GTest::gtest GTest::gtest_main)
  target_compile_definitions(${name} PRIVATE
    DNNROOF_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    DNNROOF_SHARED_DIR="${PROJECT_SOURCE_DIR}/../shared")
  if(T_PROGRAM)
    # A test that runs the program: its path, built first, and what it was
    # built with (DNNROOF_TEST_HAVE_EXEC: the LibTorch executor; _ONNX: import).
    target_compile_definitions(${name} PRIVATE DNNROOF_BINARY="$<TARGET_FILE:dnnroof>")
    if(TARGET dnnroof::exec)
      target_compile_definitions(${name} PRIVATE DNNROOF_TEST_HAVE_EXEC=1)
    endif()
    if(TARGET dnnroof::onnx)
      target_compile_definitions(${name} PRIVATE DNNROOF_TEST_HAVE_ONNX=1)
    endif()
    add_dependencies(${name} dnnroof)
  endif()
  dnnroof_warnings(${name})
  set(props "")
  if(T_LABELS)
    set(props PROPERTIES LABELS "${T_LABELS}")
    # For the install step (cmake/install.cmake lists the gpu-labelled ones).
    set_target_properties(${name} PROPERTIES DNNROOF_TEST_LABELS "${T_LABELS}")
  endif()
  gtest_discover_tests(${name} DISCOVERY_TIMEOUT 60 ${props})
endfunction()

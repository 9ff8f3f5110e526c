# The C++ library for users: `find_package(dnnroof)` and
# `target_link_libraries(app dnnroof::dnnroof)` (docs/cpp.md).
#
# What `cmake --install` adds, in the install component `devel` (so
# scripts/bundle.sh, which installs the components Unspecified and tests,
# leaves it out of the GPU bundle):
#   include/dnnroof/dnnroof.h                 the umbrella header
#   include/dnnroof/<module>/<header>.h       the public headers of the library modules
#   lib/libdnnroof_<module>.a                 one static library per module
#   lib/cmake/dnnroof/dnnroofConfig.cmake     + dnnroofConfigVersion.cmake, dnnroofTargets*.cmake
#
# The library is the static-analysis half of dnnroof: the modules below, no
# LibTorch (the executor, the probes, the report and the runner are the
# program's). The rule for headers: in a library module, a header outside
# `detail/` is public and installed; a header in `<module>/detail/` is
# dnnroof's own (never installed, never included by a public header). The
# install test (tests/install) checks it: every installed header includes
# only installed headers, the standard library, {fmt} and nlohmann/json.
#
# Public headers include each other as "<module>/<header>.h", as the sources
# do, so the installed include path holds both <prefix>/include (for
# <dnnroof/graph/graph.h>) and <prefix>/include/dnnroof.
include(CMakePackageConfigHelpers)

set(DNNROOF_LIBRARY_MODULES core hw graph zoo llm cost onnx measure store analysis)

# dnnroof::dnnroof: every library module (the name `dnnroof` is the program's).
add_library(dnnroof_library INTERFACE)
add_library(dnnroof::dnnroof ALIAS dnnroof_library)
set_target_properties(dnnroof_library PROPERTIES EXPORT_NAME dnnroof)
target_include_directories(dnnroof_library INTERFACE
  $<BUILD_INTERFACE:${PROJECT_SOURCE_DIR}/include>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)

set(dnnroof_package_targets dnnroof_library)
set(DNNROOF_PACKAGE_ONNX OFF)
foreach(module ${DNNROOF_LIBRARY_MODULES})
  if(NOT TARGET dnnroof_${module})
    continue()  # onnx, when libonnx-dev is missing
  endif()
  if(module STREQUAL "onnx")
    set(DNNROOF_PACKAGE_ONNX ON)
  endif()
  set_target_properties(dnnroof_${module} PROPERTIES EXPORT_NAME ${module})
  target_include_directories(dnnroof_${module} INTERFACE
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>
    $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/dnnroof>)
  target_link_libraries(dnnroof_library INTERFACE dnnroof_${module})
  list(APPEND dnnroof_package_targets dnnroof_${module})
  # Not recursive: <module>/detail/ stays out.
  file(GLOB public_headers CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${module}/*.h)
  install(FILES ${public_headers} DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dnnroof/${module}
          COMPONENT devel)
endforeach()
install(FILES ${PROJECT_BINARY_DIR}/generated/core/version.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dnnroof/core COMPONENT devel)
install(FILES ${PROJECT_SOURCE_DIR}/include/dnnroof/dnnroof.h
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/dnnroof COMPONENT devel)

install(TARGETS ${dnnroof_package_targets} EXPORT dnnroofTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT devel)
set(dnnroof_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/dnnroof)
install(EXPORT dnnroofTargets NAMESPACE dnnroof:: DESTINATION ${dnnroof_cmake_dir}
        COMPONENT devel)
configure_package_config_file(${CMAKE_CURRENT_LIST_DIR}/dnnroofConfig.cmake.in
  ${PROJECT_BINARY_DIR}/package/dnnroofConfig.cmake
  INSTALL_DESTINATION ${dnnroof_cmake_dir})
# 0.x: a minor version may change the API.
write_basic_package_version_file(${PROJECT_BINARY_DIR}/package/dnnroofConfigVersion.cmake
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/package/dnnroofConfig.cmake
              ${PROJECT_BINARY_DIR}/package/dnnroofConfigVersion.cmake
        DESTINATION ${dnnroof_cmake_dir} COMPONENT devel)

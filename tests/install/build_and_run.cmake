# cmake [-DBUILD=ON -DSOURCE=dir -DPREFIX=dir -DLIBDIR=lib -DGENERATOR=g -DCXX=c++ [-DLAUNCHER=ccache]]
#       -DWORK=dir -DPROGRAM=name [-DARGS=a@@b] [-DEXPECT=re1@@re2] [-DEXPECT_RC=0]
#       -P build_and_run.cmake
# With BUILD: configures the project SOURCE in a fresh WORK against PREFIX
# alone (find_package(dnnroof) must find it there) and builds it with
# -Wall -Wextra -Werror (dnnroof's headers must not warn in a user's build).
# Then runs WORK/PROGRAM with ARGS and checks its exit status and that its
# output (stdout and stderr) matches every EXPECT regex.
cmake_minimum_required(VERSION 3.25)
if(NOT DEFINED EXPECT_RC)
  set(EXPECT_RC 0)
endif()
if(BUILD)
  file(REMOVE_RECURSE ${WORK})
  set(launcher "")
  if(LAUNCHER)
    set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${LAUNCHER})
  endif()
  execute_process(
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${WORK} -G ${GENERATOR} -DCMAKE_BUILD_TYPE=Release
            -DCMAKE_CXX_COMPILER=${CXX} ${launcher} -DCMAKE_PREFIX_PATH=${PREFIX}
            "-DCMAKE_CXX_FLAGS=-Wall -Wextra -Werror"
            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
    RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "configuring ${SOURCE} against ${PREFIX} failed (${rc})")
  endif()
  file(STRINGS ${WORK}/CMakeCache.txt found REGEX "^dnnroof_DIR:")
  string(REGEX REPLACE "^dnnroof_DIR:[A-Z]+=" "" found "${found}")
  if(NOT found STREQUAL "${PREFIX}/${LIBDIR}/cmake/dnnroof")
    message(FATAL_ERROR "find_package(dnnroof) found '${found}', not ${PREFIX}/${LIBDIR}/cmake/dnnroof")
  endif()
  execute_process(COMMAND ${CMAKE_COMMAND} --build ${WORK} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "building ${SOURCE} against ${PREFIX} failed (${rc})")
  endif()
endif()

string(REPLACE "@@" ";" args "${ARGS}")
execute_process(COMMAND ${WORK}/${PROGRAM} ${args} RESULT_VARIABLE rc OUTPUT_VARIABLE out
                ERROR_VARIABLE out)
list(JOIN args " " shown)
message("$ ${PROGRAM} ${shown}\n${out}")
if(NOT rc STREQUAL "${EXPECT_RC}")
  message(FATAL_ERROR "${PROGRAM} exited with ${rc}, expected ${EXPECT_RC}")
endif()
string(REPLACE "@@" ";" expects "${EXPECT}")
foreach(re ${expects})
  if(NOT out MATCHES "${re}")
    message(FATAL_ERROR "${PROGRAM}'s output does not match '${re}'")
  endif()
endforeach()
